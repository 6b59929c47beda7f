/**
 * The entry point: {@code Main} reads the settings ({@code config}) and starts the server
 * ({@code server}), or prints {@code --help}. Nothing in framewire depends on this package.
 *
 * <p>May use: {@code config}, {@code server}.
 */
package io.framewire;
