package io.framewire.camera;

import io.framewire.client.FramewireClient;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import org.bytedeco.javacv.FrameGrabber;
import org.bytedeco.javacv.Frame;

/**
 * One camera: open the source, decode, scale and encode the frames that are due, publish them at
 * min(fps, advice.fps); on a failure, stall or end, close the source and reopen it with backoff.
 * Runs on a platform thread of its own: FFmpeg's blocking reads are native calls, which would pin
 * a virtual thread's carrier (and hundreds of cameras would starve the carriers). A failure here
 * stays here: the other cameras have their own threads, sources and connections.
 */
final class CameraLoop implements Runnable {

    enum State { STARTING, STREAMING, RETRYING, STOPPED }

    private static final System.Logger LOG = System.getLogger(CameraLoop.class.getName());
    static final long RETRY_BASE_MS = 250;
    /** Short cap for network trouble: a camera is back within ~1 s of its source's return (a refused connect is cheap). */
    static final long RETRY_CAP_MS = 1_000;
    /** Long cap for what a quick retry will not fix (codec, size, missing file). */
    static final long LASTING_CAP_MS = 30_000;
    private static final int MAX_DECODE_ERRORS_IN_A_ROW = 25;

    final Config.Camera cam;
    final FramewireClient client;
    private final LongSupplier nanoTime;
    final Rate fpsIn;
    final Rate fpsOut;
    final AtomicLong framesIn = new AtomicLong();
    final AtomicLong framesOut = new AtomicLong();
    final AtomicLong framesUnsent = new AtomicLong();
    final AtomicLong reopens = new AtomicLong();
    final AtomicLong decodeErrors = new AtomicLong();
    final AtomicLong failures = new AtomicLong();
    private volatile State state = State.STARTING;
    private volatile String error;
    private volatile String description;
    private volatile long lastFrameNanos;
    private volatile boolean running = true;
    private volatile Thread thread;
    private int attempt;

    CameraLoop(Config.Camera cam, FramewireClient client, LongSupplier nanoTime) {
        this.cam = cam;
        this.client = client;
        this.nanoTime = nanoTime;
        this.fpsIn = new Rate(nanoTime);
        this.fpsOut = new Rate(nanoTime);
    }

    void start() {
        client.start();
        thread = Thread.ofPlatform().name("camera-" + cam.id()).daemon().start(this);
    }

    void stop() {
        running = false;
        client.close();
        Thread t = thread;
        if (t != null) {
            t.interrupt();
        }
    }

    void join(long millis) throws InterruptedException {
        Thread t = thread;
        if (t != null) {
            t.join(millis);
        }
    }

    State state() {
        return state;
    }

    /** True while the source delivers frames (a frame within timeout_ms). */
    boolean up() {
        return state == State.STREAMING && nanoTime.getAsLong() - lastFrameNanos < cam.timeoutMs() * 1_000_000L;
    }

    String error() {
        return error;
    }

    String description() {
        return description;
    }

    long lastFrameNanos() {
        return lastFrameNanos;
    }

    @Override
    public void run() {
        while (running) {
            boolean lasting = false;
            try (Source source = Source.open(cam)) {
                description = source.description();
                stream(source);
                if (!running) {
                    break;
                }
                if (cam.isFile()) {
                    continue; // looped: start over at once
                }
                fail("the source ended the stream", null);
            } catch (Source.Failed f) {
                lasting = f.lasting;
                fail(f.getMessage(), null);
            } catch (FrameGrabber.Exception e) {
                fail("read failed: " + Source.plain(String.valueOf(e.getMessage())), null);
            } catch (RuntimeException e) {
                fail("unexpected: " + e, e);
            } catch (InterruptedException e) {
                break;
            }
            if (!running) {
                break;
            }
            try {
                Thread.sleep(delay(lasting));
            } catch (InterruptedException e) {
                break;
            }
            reopens.incrementAndGet();
        }
        state = State.STOPPED;
    }

    private void fail(String raw, Throwable t) {
        if (!running) {
            return;
        }
        String message = Endpoints.redact(raw); // no camera password in logs or /status
        failures.incrementAndGet();
        if (!message.equals(error)) {
            LOG.log(System.Logger.Level.WARNING, "camera " + cam.id() + ": " + message + "; reopening with backoff", t);
        }
        error = message;
        state = State.RETRYING;
    }

    /** Full jitter over [0, min(cap, base x 2^attempt)), at least 100 ms so a dead source is not hammered. */
    private long delay(boolean lasting) {
        long cap = lasting ? LASTING_CAP_MS : RETRY_CAP_MS;
        long ceiling = attempt >= 16 ? cap : Math.min(cap, RETRY_BASE_MS << attempt);
        attempt++;
        return 100 + (long) (ThreadLocalRandom.current().nextDouble() * ceiling);
    }

    private void stream(Source source) throws FrameGrabber.Exception, InterruptedException {
        double sourceFps = source.frameRate() > 0 && source.frameRate() < 1_000 ? source.frameRate() : 30;
        long sourceInterval = (long) (1e9 / sourceFps);
        // The send rate is kept on the source's own clock where it has one (RTSP's RTP times, a file's
        // timestamps): frames that arrive bunched (network jitter, our own scheduling on a busy host) are
        // still evenly spaced there. HTTP MJPEG and V4L2 have no trustworthy one: the wall clock.
        boolean byPts = cam.isFile() || cam.source().startsWith("rtsp");
        long lastPts = Long.MIN_VALUE;  // ns, the last frame's presentation time
        long nextSend = Long.MIN_VALUE; // on the pacing clock: the next frame to send is one at or after it
        long fileStart = 0;
        long firstTimestamp = Long.MIN_VALUE;
        int errorsInARow = 0;
        try (JpegEncoder encoder = new JpegEncoder(source.width(), source.height(), cam.quality())) {
            while (running) {
                long now = nanoTime.getAsLong();
                double target = client.pace(cam.fps());
                long interval = (long) (1e9 / target);
                long early = Math.min(interval, sourceInterval) / 2; // a frame up to half a frame early is on time
                boolean due;
                if (nextSend == Long.MIN_VALUE) {
                    due = true;
                } else if (byPts) {
                    due = lastPts + sourceInterval >= nextSend - early; // the next frame's time, predicted
                } else {
                    // on the wall clock, a source no faster than the target (measured over the last seconds)
                    // sends every frame: our own hiccups would look like bunched frames
                    double measured = fpsIn.perSecond();
                    boolean capped = (measured > 0 ? measured : sourceFps) > target * 1.02;
                    due = !capped || now >= nextSend - early;
                }
                due &= client.isOpen();
                Frame frame;
                try {
                    frame = source.next(due);
                    errorsInARow = 0;
                } catch (FrameGrabber.Exception e) {
                    decodeErrors.incrementAndGet();
                    if (++errorsInARow >= MAX_DECODE_ERRORS_IN_A_ROW) {
                        throw e;
                    }
                    continue;
                }
                if (frame == null) {
                    return; // the end
                }
                now = nanoTime.getAsLong();
                framesIn.incrementAndGet();
                fpsIn.mark();
                lastFrameNanos = now;
                if (state != State.STREAMING) {
                    state = State.STREAMING;
                    if (error != null) {
                        LOG.log(System.Logger.Level.INFO, "camera " + cam.id() + ": streaming again (" + description + ")");
                    }
                    error = null;
                    attempt = 0;
                }
                if (cam.isFile()) { // a file plays at its own rate, as a camera would
                    if (firstTimestamp == Long.MIN_VALUE) {
                        firstTimestamp = frame.timestamp;
                        fileStart = now;
                    }
                    long wait = fileStart + (frame.timestamp - firstTimestamp) * 1_000 - now;
                    if (wait > 0 && wait < 2_000_000_000L) {
                        Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
                    }
                    now = nanoTime.getAsLong();
                }
                long at = now;
                if (byPts) {
                    long pts = frame.timestamp * 1_000;
                    if (lastPts != Long.MIN_VALUE && (pts <= lastPts || pts - lastPts > 2_000_000_000L)) {
                        nextSend = Long.MIN_VALUE; // a discontinuity: pace from here
                    }
                    lastPts = pts;
                    at = pts;
                }
                if (due && frame.image != null) {
                    byte[] jpeg = encoder.encode(source.planes(frame));
                    if (client.send(jpeg) >= 0) {
                        framesOut.incrementAndGet();
                        fpsOut.mark();
                    } else {
                        framesUnsent.incrementAndGet(); // the previous frame was still being written
                    }
                    // one interval per frame sent, at most one interval of credit: the rate stays at or
                    // under the target however a faster source bunches its frames
                    nextSend = nextSend == Long.MIN_VALUE ? at + interval : Math.max(nextSend, at - interval) + interval;
                }
            }
        }
    }
}
