package io.framewire.events;

import io.framewire.tracking.Tracker;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageWriteParam;
import javax.imageio.ImageWriter;
import javax.imageio.stream.MemoryCacheImageOutputStream;

/**
 * Every stream's latest picture, as its camera sent it, with the boxes of that detector pass: for
 * {@code GET /api/streams/{id}/latest.jpg} and watchers that ask for frames. A copy costs the
 * frame path a memcpy, so a stream's picture is copied at most once per {@link #DEFAULT_EVERY_NANOS}
 * (more often only while a watcher asks for more, up to {@link #MAX_PER_SECOND} a second). Memory is
 * bounded: all pictures together at most {@code maxBytes} (the oldest dropped first), and at most
 * {@link #MAX_STREAMS} streams. Rendering (scaling, drawing) happens on the requester's thread.
 */
public final class Pictures {

    static final long DEFAULT_EVERY_NANOS = 1_000_000_000L;
    public static final int MAX_PER_SECOND = 10;
    static final int MAX_STREAMS = 10_000;
    /** Largest height a request may scale to: bounds the cost of one render. */
    public static final int MAX_HEIGHT = 2160;

    /** One kept picture; {@code boxes}: x, y, w, h per detection, {@code ids} their tracks (0: tentative). */
    public record Picture(byte[] bytes, int width, int height, long atMillis, String[] labels, int[][] boxes, int[] ids) {}

    private static final class Slot {
        volatile Picture picture;
        long copiedAt = Long.MIN_VALUE / 2; // the stream's worker only
        volatile long everyNanos = DEFAULT_EVERY_NANOS;
        volatile long wantedUntil; // watchers asking for more than once a second, until then (nanos)
    }

    private final long maxBytes;
    private final Map<String, Slot> slots = new ConcurrentHashMap<>();
    private final AtomicLong bytes = new AtomicLong();
    private final long wallOffsetNanos = System.currentTimeMillis() * 1_000_000L - System.nanoTime();

    public Pictures(long maxBytes) {
        this.maxBytes = maxBytes;
    }

    boolean enabled() {
        return maxBytes > 0;
    }

    /** A detector pass of {@code stream}: keeps a copy of its picture when the last is old enough. */
    void offer(String stream, List<Tracker.Observation> obs, int[] ids, int width, int height, ByteBuffer image, long now) {
        if (image == null || maxBytes <= 0 || image.remaining() > maxBytes) {
            return;
        }
        Slot slot = slots.get(stream);
        if (slot == null) {
            if (slots.size() >= MAX_STREAMS) {
                evictOldest();
            }
            slot = slots.computeIfAbsent(stream, k -> new Slot());
        }
        long every = now < slot.wantedUntil ? slot.everyNanos : DEFAULT_EVERY_NANOS;
        if (now - slot.copiedAt < every) {
            return;
        }
        slot.copiedAt = now;
        byte[] copy = new byte[image.remaining()];
        image.duplicate().get(copy);
        String[] labels = new String[obs.size()];
        int[][] boxes = new int[obs.size()][];
        for (int i = 0; i < obs.size(); i++) {
            var b = obs.get(i).box();
            labels[i] = obs.get(i).label();
            boxes[i] = new int[] {(int) Math.round(b.x()), (int) Math.round(b.y()), (int) Math.round(b.w()), (int) Math.round(b.h())};
        }
        Picture p = new Picture(copy, width, height, (now + wallOffsetNanos) / 1_000_000, labels, boxes, ids.clone());
        Picture old = slot.picture;
        slot.picture = p;
        long total = bytes.addAndGet(copy.length - (old == null ? 0 : old.bytes().length));
        while (total > maxBytes) {
            if (!evictOldest()) {
                break;
            }
            total = bytes.get();
        }
    }

    /** Drops the oldest picture; false when there is none. */
    private synchronized boolean evictOldest() {
        String oldest = null;
        long at = Long.MAX_VALUE;
        for (var e : slots.entrySet()) {
            Picture p = e.getValue().picture;
            if (p != null && p.atMillis() < at) {
                at = p.atMillis();
                oldest = e.getKey();
            }
        }
        if (oldest == null) {
            return false;
        }
        Slot s = slots.remove(oldest);
        Picture p = s == null ? null : s.picture;
        if (p != null) {
            bytes.addAndGet(-p.bytes().length);
        }
        return true;
    }

    /** The stream's latest picture on this host; null when none is kept. */
    public Picture latest(String stream) {
        Slot s = slots.get(stream);
        return s == null ? null : s.picture;
    }

    /** A watcher wants {@code perSecond} pictures a second of the stream for the next few seconds (renewed while it watches). */
    public void want(String stream, int perSecond, long nowNanos) {
        if (maxBytes <= 0 || (slots.size() >= MAX_STREAMS && !slots.containsKey(stream))) {
            return;
        }
        Slot s = slots.computeIfAbsent(stream, k -> new Slot());
        s.everyNanos = 1_000_000_000L / Math.max(1, Math.min(MAX_PER_SECOND, perSecond));
        s.wantedUntil = nowNanos + 3_000_000_000L;
    }

    /** Bytes held by all pictures. */
    public long bytes() {
        return bytes.get();
    }

    /**
     * The picture as a JPEG: as received when nothing is asked of it, else decoded, scaled to
     * {@code height} (0: as is; never above the picture's own), with its boxes and zones drawn as asked.
     */
    public static byte[] render(Picture p, int height, boolean boxes, List<Zone> zones) throws IOException {
        boolean jpeg = p.bytes().length > 2 && (p.bytes()[0] & 0xff) == 0xff && (p.bytes()[1] & 0xff) == 0xd8;
        if (jpeg && (height == 0 || height >= p.height()) && !boxes && (zones == null || zones.isEmpty())) {
            return p.bytes();
        }
        BufferedImage src = ImageIO.read(new ByteArrayInputStream(p.bytes()));
        if (src == null) {
            throw new IOException("the picture could not be decoded");
        }
        int h = height == 0 ? src.getHeight() : Math.min(height, src.getHeight());
        int w = Math.max(1, (int) Math.round((double) src.getWidth() * h / src.getHeight()));
        BufferedImage out = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = out.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_BILINEAR);
        g.drawImage(src, 0, 0, w, h, null);
        g.setStroke(new BasicStroke(Math.max(1f, h / 240f)));
        if (zones != null) {
            g.setColor(new Color(255, 200, 0));
            for (Zone z : zones) {
                int n = z.xs().length;
                int[] xs = new int[n], ys = new int[n];
                for (int i = 0; i < n; i++) {
                    xs[i] = (int) Math.round(z.xs()[i] * w);
                    ys[i] = (int) Math.round(z.ys()[i] * h);
                }
                g.drawPolygon(xs, ys, n);
                g.drawString(z.name(), xs[0] + 3, ys[0] + 12);
            }
        }
        if (boxes && p.width() > 0) {
            double sx = (double) w / p.width(), sy = (double) h / p.height();
            g.setColor(new Color(0, 230, 90));
            for (int i = 0; i < p.boxes().length; i++) {
                int[] b = p.boxes()[i];
                g.drawRect((int) Math.round(b[0] * sx), (int) Math.round(b[1] * sy), (int) Math.round(b[2] * sx),
                        (int) Math.round(b[3] * sy));
                String tag = p.labels()[i] + (p.ids()[i] != 0 ? " #" + p.ids()[i] : "");
                g.drawString(tag, (int) Math.round(b[0] * sx), Math.max(10, (int) Math.round(b[1] * sy) - 3));
            }
        }
        g.dispose();
        ImageWriter writer = ImageIO.getImageWritersByFormatName("jpeg").next();
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(w * h / 4);
        try (MemoryCacheImageOutputStream ios = new MemoryCacheImageOutputStream(bytes)) {
            writer.setOutput(ios);
            ImageWriteParam param = writer.getDefaultWriteParam();
            param.setCompressionMode(ImageWriteParam.MODE_EXPLICIT);
            param.setCompressionQuality(0.8f);
            writer.write(null, new IIOImage(out, null, null), param);
        } finally {
            writer.dispose();
        }
        return bytes.toByteArray();
    }
}
