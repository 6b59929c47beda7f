/**
 * One WebSocket connection, publisher or watcher, on its virtual thread: {@code BlockingWebSocket}
 * (Jetty's demand-driven socket as a blocking loop), {@code StreamSession} (frames into the
 * mailbox, results out through a {@code BoundedSender}), {@code WatchSession} (a stream's results
 * to a watcher), the frame buffers' budget, the per-stream rate limit and the keepalive ticker.
 *
 * <p>May use: {@code schedule}, {@code state}, {@code protocol}, {@code metrics}.
 */
package io.framewire.stream;
