/**
 * What every test shares, so that a test fails for its subject and never for the machine's speed.
 *
 * <ul>
 *   <li>One bound on waiting, {@link io.framewire.testing.Waits#WAIT}: generous, since a passing
 *       test waits for its condition, not for the bound.</li>
 *   <li>State that settles asynchronously is polled ({@link io.framewire.testing.Waits#await()},
 *       Awaitility), never slept for. A sleep that remains is a client's pace (a camera's frame
 *       interval, an attacker's trickle), not a wait for the server.</li>
 *   <li>Where behaviour depends on time, the assertion is bounded by the time the test observed
 *       (or the time is passed in, as {@code RateLimiter} and {@code LocalState} take it), not by
 *       a schedule a loaded machine may not keep.</li>
 *   <li>Ports are bound once: in-process servers bind port 0 ({@link io.framewire.testing.Servers});
 *       a server JVM started with {@code --port 0} logs its port ({@link io.framewire.testing.ServerProcess});
 *       redis-server and nginx, which cannot, retry when their bind fails
 *       ({@link io.framewire.testing.RedisServer}).</li>
 * </ul>
 */
package io.framewire.testing;
