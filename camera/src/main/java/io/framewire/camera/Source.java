package io.framewire.camera;

import static org.bytedeco.ffmpeg.global.avutil.AV_LOG_FATAL;
import static org.bytedeco.ffmpeg.global.avutil.av_log_set_level;

import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.bytedeco.javacv.FFmpegFrameGrabber;
import org.bytedeco.javacv.Frame;
import org.bytedeco.javacv.FrameGrabber;

/**
 * One opened source (FFmpeg through JavaCV): frames decoded, and on request scaled to the output size
 * in the JPEG encoder's pixel format. Its errors say what is wrong with the source, for /status.
 */
final class Source implements AutoCloseable {

    static {
        av_log_set_level(AV_LOG_FATAL); // a garbage stream logs per packet; the bridge reports per camera instead
    }

    /** A source that cannot be used; {@code lasting}: retrying soon will not help (codec, size), so back off longer. */
    static final class Failed extends Exception {
        final boolean lasting;

        Failed(String message, boolean lasting, Throwable cause) {
            super(message, cause);
            this.lasting = lasting;
        }
    }

    private final FFmpegFrameGrabber grabber;
    private final int width;
    private final int height;
    private final double frameRate;
    private final String description;

    private Source(FFmpegFrameGrabber grabber, int width, int height, double frameRate, String description) {
        this.grabber = grabber;
        this.width = width;
        this.height = height;
        this.frameRate = frameRate;
        this.description = description;
    }

    static Source open(Config.Camera cam) throws Failed {
        if (cam.isFile() && !Files.isReadable(Path.of(cam.source()))) {
            throw new Failed("no such file (or not readable): " + cam.source(), true, null);
        }
        FFmpegFrameGrabber g = new FFmpegFrameGrabber(cam.source());
        String timeoutUs = String.valueOf(cam.timeoutMs() * 1000L);
        if (cam.source().startsWith("rtsp://") || cam.source().startsWith("rtsps://")) {
            g.setOption("rtsp_transport", cam.transport());
            g.setOption("timeout", timeoutUs); // RTSP: socket I/O timeout, so a stalled server is noticed
        } else if (!cam.isFile()) {
            g.setOption("rw_timeout", timeoutUs); // any other protocol (HTTP, HLS, ...)
        }
        if (cam.isDevice()) {
            g.setFormat("video4linux2");
        }
        if (cam.format() != null) {
            g.setFormat(cam.format());
        }
        g.setOption("analyzeduration", "1000000"); // 1 s: a camera sends a key frame (and its size) about that often
        g.setOption("fflags", "nobuffer");
        g.setVideoOption("threads", "1"); // one core per camera at most: hundreds of cameras share the host
        g.setPixelFormat(JpegEncoder.PIXEL_FORMAT);
        long opening = System.nanoTime();
        try {
            // not start(): it holds a lock on avcodec for the whole open, probing included, so one slow or
            // silent camera would stall every other camera's (re)open; FFmpeg's own calls are thread-safe
            g.startUnsafe();
        } catch (FrameGrabber.Exception | RuntimeException e) {
            release(g);
            String msg = String.valueOf(e.getMessage());
            boolean codec = msg.contains("codec") || msg.contains("decoder");
            boolean silent = System.nanoTime() - opening >= cam.timeoutMs() * 900_000L; // FFmpeg words it as bad data
            throw new Failed((silent ? "no answer within timeout_ms (" + cam.timeoutMs() + " ms): " : "cannot open: ")
                    + plain(msg), codec, e);
        }
        int w = g.getImageWidth();
        int h = g.getImageHeight();
        if (g.getVideoStream() < 0 || w <= 0 || h <= 0) {
            release(g);
            throw new Failed("no video stream in the source", true, null);
        }
        if ((long) w * h > cam.maxPixels()) {
            release(g);
            throw new Failed("source is " + w + "x" + h + " (" + (long) w * h + " pixels), over max_pixels "
                    + cam.maxPixels() + ": lower the camera's resolution or raise max_pixels", true, null);
        }
        int outW = cam.width() > 0 ? cam.width() : w;
        int outH = cam.height() > 0 ? cam.height()
                : cam.width() > 0 ? (int) Math.round((double) cam.width() * h / w) : h;
        outW = Math.max(2, outW & ~1); // 4:2:0 needs even sizes
        outH = Math.max(2, outH & ~1);
        g.setImageWidth(outW);
        g.setImageHeight(outH);
        String description = g.getFormat() + "/" + g.getVideoCodecName() + " " + w + "x" + h
                + (outW != w || outH != h ? " -> " + outW + "x" + outH : "");
        return new Source(g, outW, outH, g.getFrameRate(), description);
    }

    private static final Pattern FFMPEG_ERROR = Pattern.compile("(\\w+)\\(\\) error (-?\\d+): ([^\\n]*?)(?: \\(.*)?$");

    /** JavaCV's "avformat_open_input() error -111: Could not open input "…". (For more details…)" as "…: Connection refused". */
    static String plain(String message) {
        Matcher m = FFMPEG_ERROR.matcher(message);
        if (!m.find()) {
            return message;
        }
        String what = m.group(3).replaceAll("\\.$", "");
        return what + ": " + Ffmpeg.error(Integer.parseInt(m.group(2))).replaceAll(" \\(-?\\d+\\)$", "") + " (" + m.group(1) + ")";
    }

    int width() {
        return width;
    }

    int height() {
        return height;
    }

    /** The source's nominal rate (0 when unknown): files are read at it. */
    double frameRate() {
        return frameRate;
    }

    String description() {
        return description;
    }

    /**
     * The next video frame, decoded; with {@code picture} also scaled into the encoder's format (a frame
     * that will not be sent skips that cost). Null at the end of the source.
     */
    Frame next(boolean picture) throws FrameGrabber.Exception {
        return grabber.grabFrame(false, true, picture, false, false);
    }

    /** The planes of a frame grabbed with {@code picture}: contiguous YUVJ420P of the output size. */
    ByteBuffer planes(Frame frame) {
        if (frame.image == null || frame.imageWidth != width || frame.imageHeight != height || frame.imageStride != width) {
            throw new IllegalStateException("unexpected picture layout from the grabber: " + frame.imageWidth + "x"
                    + frame.imageHeight + " stride " + frame.imageStride + ", expected " + width + "x" + height);
        }
        return (ByteBuffer) frame.image[0];
    }

    @Override
    public void close() {
        release(grabber);
    }

    private static void release(FFmpegFrameGrabber g) {
        try {
            g.releaseUnsafe(); // not close()/release(): the same global lock as start()
        } catch (Exception e) {
            // closing a half-open grabber: nothing left to do
        }
    }
}
