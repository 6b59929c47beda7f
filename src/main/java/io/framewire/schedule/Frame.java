package io.framewire.schedule;

import java.nio.ByteBuffer;

/**
 * One binary message as received: still encoded, since a frame that gets replaced is never decoded.
 * Its bytes are framewire's to hold until {@link #release()}, which gives them back to where they
 * came from (a pooled buffer goes back to its pool): exactly once, by the frame's last holder. The
 * {@link Mailbox} releases the frames it replaces or discards; a frame taken by a worker is released
 * when its {@link Job} is answered. A frame never released is only lost to its pool: the GC takes it.
 *
 * @param seq           0-based index of the binary message on its connection
 * @param bytes         the encoded image and its release hook
 * @param receivedNanos {@link System#nanoTime()} when the message was read
 */
public record Frame(long seq, Bytes bytes, long receivedNanos) {

    /**
     * Bytes held until {@link #release()}: framewire's own hook, so scheduling and inference never
     * see the transport's buffer types.
     */
    public interface Bytes {
        /** The content, position 0 to limit; read it with absolute gets (or a duplicate). */
        ByteBuffer data();

        /** Gives the bytes back; call once, and read {@link #data()} no more. */
        void release();
    }

    /** Bytes on the heap, for tests and tools: nothing to give back. */
    private record HeapBytes(ByteBuffer data) implements Bytes {
        @Override
        public void release() {
            // the GC takes them
        }
    }

    /** An unpooled frame (tests, tools). */
    public static Frame of(long seq, byte[] data, long receivedNanos) {
        return new Frame(seq, new HeapBytes(ByteBuffer.wrap(data)), receivedNanos);
    }

    /** The encoded image, position 0 to limit; read it with absolute gets (or a duplicate). */
    public ByteBuffer data() {
        return bytes.data();
    }

    /** Gives the frame's bytes back (see {@link Bytes#release()}). */
    public void release() {
        bytes.release();
    }
}
