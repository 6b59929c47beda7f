/**
 * The top of the data path: Jetty wiring and the upgrade endpoints ({@code FramewireServer}), the
 * plain HTTP endpoints ({@code HttpEndpoints}), the browser pages and dashboard JSON ({@code WebUi}),
 * the header deadline and the registry of live streams. It assembles the other packages and
 * nothing below it knows it.
 *
 * <p>May use: {@code config}, {@code stream}, {@code state}, {@code security}, {@code inference}, {@code schedule}, {@code protocol}, {@code metrics}, {@code watchdog}, {@code events}.
 */
package io.framewire.server;
