/**
 * The settings: each one declared once in {@code Catalog} (name, type, default, values, doc),
 * merged from flags, environment and a properties file ({@code ConfigSources}), validated once into
 * {@code Settings} at start. Owns the {@code --help} text and docs/configuration.md's settings table.
 * It builds the typed configuration records of the packages it configures ({@code DetectorConfig},
 * {@code AuthConfig}, {@code RedisConfig}, ...); those packages never read settings themselves.
 *
 * <p>May use: {@code inference}, {@code security}, {@code state}, {@code events}.
 */
package io.framewire.config;
