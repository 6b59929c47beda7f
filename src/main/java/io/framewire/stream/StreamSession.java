package io.framewire.stream;

import io.framewire.protocol.Messages;
import io.framewire.schedule.Frame;
import io.framewire.schedule.Mailbox;
import io.framewire.schedule.ResultSink;
import io.framewire.schedule.Scheduler;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One publishing stream: a reader loop that moves frames from the socket into the mailbox, and a
 * writer loop that sends the stream's results. Workers hand results to {@link #send} and never
 * touch the socket, so a slow client cannot stall inference for everyone else.
 */
public final class StreamSession implements ResultSink {

    /** Close code for a client whose unread results exceeded {@code ws.maxPendingResults}. */
    public static final int CLOSE_NOT_READING = 1008;

    private static final Logger log = LoggerFactory.getLogger(StreamSession.class);
    private static final int WRITE_BATCH = 64;

    private final String id;
    private final BlockingWebSocket ws;
    private final Mailbox mailbox;
    private final Scheduler scheduler;
    private final ArrayBlockingQueue<String> outbox;
    private final AtomicLong received = new AtomicLong();
    private volatile Thread writer;

    public StreamSession(String id, BlockingWebSocket ws, Scheduler scheduler, int mailboxDepth, int maxPendingResults) {
        this.id = id;
        this.ws = ws;
        this.scheduler = scheduler;
        this.mailbox = new Mailbox(id, mailboxDepth, this);
        this.outbox = new ArrayBlockingQueue<>(maxPendingResults);
    }

    public String id() {
        return id;
    }

    public long framesReceived() {
        return received.get();
    }

    public long framesDropped() {
        return mailbox.droppedTotal();
    }

    /** Runs the reader loop on the calling (virtual) thread until the connection ends. */
    public void run() {
        writer = Thread.ofVirtual().name("ws-write-" + id).start(this::writeLoop);
        try {
            readLoop();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            mailbox.close();
            writer.interrupt();
        }
    }

    private void readLoop() throws InterruptedException {
        long seq = 0;
        BlockingWebSocket.Message message;
        while ((message = ws.next()) != null) {
            switch (message) {
                case BlockingWebSocket.Binary b -> {
                    long now = System.nanoTime();
                    received.incrementAndGet();
                    if (b.data().length == 0) {
                        send(Messages.error(seq, "empty_frame", "binary message is empty; expected one JPEG or PNG image", 0));
                    } else if (mailbox.offer(new Frame(seq, b.data(), now))) {
                        scheduler.ready(mailbox);
                    }
                    seq++;
                }
                case BlockingWebSocket.Text t -> send(Messages.error(-1, "unexpected_text",
                        "text messages are not accepted on a publishing stream; send images as binary messages", 0));
            }
        }
    }

    private void writeLoop() {
        List<String> batch = new ArrayList<>(WRITE_BATCH);
        try {
            while (true) {
                batch.add(outbox.take());
                outbox.drainTo(batch, WRITE_BATCH - 1);
                ws.send(batch);
                batch.clear();
            }
        } catch (InterruptedException e) {
            // the reader ended the stream
        } catch (IOException e) {
            log.debug("stream {}: write failed: {}", id, e.getMessage());
            ws.close(1011, "write failed");
        }
    }

    /** Queues a message for the writer; never blocks. A client that stops reading is closed. */
    @Override
    public void send(String message) {
        if (!outbox.offer(message) && ws.isOpen()) {
            log.info("stream {}: client is not reading results ({} pending); closing", id, outbox.size());
            ws.close(CLOSE_NOT_READING, "results not being read");
        }
    }

    /** Closes the connection from the server side (shutdown, replaced by a newer publisher). */
    public void close(int code, String reason) {
        ws.close(code, reason);
    }
}
