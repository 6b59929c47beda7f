/**
 * Frames waiting for a worker: a {@code Mailbox} per stream (latest frame wins, replaced frames
 * counted), the round-robin {@code Scheduler} of ready mailboxes, the {@code Job} a worker takes and
 * the {@code ResultSink} its result goes to. Knows nothing of sockets or detectors: sessions put
 * frames in, workers take jobs out.
 *
 * <p>May use: nothing in framewire.
 */
package io.framewire.schedule;
