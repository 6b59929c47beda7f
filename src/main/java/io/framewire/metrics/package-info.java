/**
 * The Prometheus instruments ({@code Metrics}): one registry, every {@code framewire_*} metric
 * (docs/operations.md, "Metrics") declared there. A leaf: every layer records into it, it knows none of them.
 *
 * <p>May use: nothing in framewire.
 */
package io.framewire.metrics;
