/**
 * Tracks to events and out: named zones per stream ({@code Zones}, the admin API's document, kept
 * by {@code ZoneStore} in a file or, with a fleet, in Redis), the per-stream engine that turns a
 * stream's tracks into {@code enter}/{@code leave}/{@code dwell} events with hysteresis
 * ({@code StreamEvents}, a {@code TrackListener} on the worker's path), the sinks that deliver them
 * at least once with a bounded queue each (Redis Streams, webhooks, MQTT: {@code Sink}), and every
 * stream's latest picture ({@code Pictures}). The only package that uses Paho (MQTT).
 *
 * <p>May use: {@code state}, {@code tracking}, {@code metrics}.
 */
package io.framewire.events;
