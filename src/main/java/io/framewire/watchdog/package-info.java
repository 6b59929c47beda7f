/**
 * On-host hang detection for systemd: {@link io.framewire.watchdog.Watchdog} sends {@code READY=1},
 * {@code STOPPING=1} and a {@code WATCHDOG=1} heartbeat through {@code $NOTIFY_SOCKET}
 * ({@link io.framewire.watchdog.SdNotify}), the heartbeat only while every {@link io.framewire.watchdog.Probe}
 * sees progress: Jetty's selectors and scheduler turn ({@link io.framewire.watchdog.JettyProbe}) and no
 * inference worker is stuck in one forward pass ({@link io.framewire.watchdog.DetectorWatch}). A hung
 * or stopped JVM stops the heartbeat, and systemd's {@code WatchdogSec=} restarts it. Depends on
 * {@code inference} (it wraps the detector factory) and Jetty; nothing depends on it but {@code server}.
 *
 * <p>May use: {@code inference}, {@code protocol}.
 */
package io.framewire.watchdog;
