package io.framewire.camera;

import static org.bytedeco.ffmpeg.global.avcodec.AV_CODEC_FLAG_QSCALE;
import static org.bytedeco.ffmpeg.global.avcodec.AV_CODEC_ID_MJPEG;
import static org.bytedeco.ffmpeg.global.avcodec.av_packet_alloc;
import static org.bytedeco.ffmpeg.global.avcodec.av_packet_free;
import static org.bytedeco.ffmpeg.global.avcodec.av_packet_unref;
import static org.bytedeco.ffmpeg.global.avcodec.avcodec_alloc_context3;
import static org.bytedeco.ffmpeg.global.avcodec.avcodec_find_encoder;
import static org.bytedeco.ffmpeg.global.avcodec.avcodec_free_context;
import static org.bytedeco.ffmpeg.global.avcodec.avcodec_open2;
import static org.bytedeco.ffmpeg.global.avcodec.avcodec_receive_packet;
import static org.bytedeco.ffmpeg.global.avcodec.avcodec_send_frame;
import static org.bytedeco.ffmpeg.global.avutil.AV_PIX_FMT_YUVJ420P;
import static org.bytedeco.ffmpeg.global.avutil.FF_QP2LAMBDA;
import static org.bytedeco.ffmpeg.global.avutil.av_frame_alloc;
import static org.bytedeco.ffmpeg.global.avutil.av_frame_free;
import static org.bytedeco.ffmpeg.global.avutil.av_image_fill_arrays;
import static org.bytedeco.ffmpeg.global.avutil.av_image_get_buffer_size;
import static org.bytedeco.ffmpeg.global.avutil.av_make_q;

import java.nio.ByteBuffer;
import org.bytedeco.ffmpeg.avcodec.AVCodec;
import org.bytedeco.ffmpeg.avcodec.AVCodecContext;
import org.bytedeco.ffmpeg.avcodec.AVPacket;
import org.bytedeco.ffmpeg.avutil.AVFrame;
import org.bytedeco.javacpp.BytePointer;

/**
 * JPEG with FFmpeg's MJPEG encoder, straight from the grabber's YUV 4:2:0 picture (full range):
 * no RGB conversion and no OpenCV. One per camera thread; not thread-safe.
 */
final class JpegEncoder implements AutoCloseable {

    /** The grabber's pixel format: the encoder's input, so the grabber's scaler does the only conversion. */
    static final int PIXEL_FORMAT = AV_PIX_FMT_YUVJ420P;

    private final int width;
    private final int height;
    private final int qscale;
    private AVCodecContext context;
    private AVFrame picture;
    private AVPacket packet;
    private long pts;

    /**
     * @param quality 1-100 as in other JPEG encoders, mapped onto FFmpeg's qscale (31 worst .. 2 best):
     *                80 gives qscale 7, 90 gives 4
     */
    JpegEncoder(int width, int height, int quality) {
        this.width = width;
        this.height = height;
        this.qscale = qscale(quality);
        AVCodec codec = avcodec_find_encoder(AV_CODEC_ID_MJPEG);
        if (codec == null) {
            throw new IllegalStateException("FFmpeg has no MJPEG encoder");
        }
        context = avcodec_alloc_context3(codec);
        context.width(width).height(height).pix_fmt(PIXEL_FORMAT).time_base(av_make_q(1, 30));
        context.flags(context.flags() | AV_CODEC_FLAG_QSCALE);
        context.global_quality(FF_QP2LAMBDA * qscale);
        context.thread_count(1);
        int err = avcodec_open2(context, codec, (org.bytedeco.ffmpeg.avutil.AVDictionary) null);
        if (err < 0) {
            close();
            throw new IllegalStateException("cannot open the MJPEG encoder for " + width + "x" + height + ": " + Ffmpeg.error(err));
        }
        picture = av_frame_alloc();
        picture.format(PIXEL_FORMAT).width(width).height(height);
        packet = av_packet_alloc();
    }

    static int qscale(int quality) {
        return Math.max(2, Math.min(31, (int) Math.round(31 - quality * 0.3)));
    }

    boolean fits(int w, int h) {
        return w == width && h == height;
    }

    /** Encodes one picture: {@code image} holds the YUVJ420P planes back to back (no padding). */
    byte[] encode(ByteBuffer image) {
        int size = av_image_get_buffer_size(PIXEL_FORMAT, width, height, 1);
        if (image.capacity() < size) {
            throw new IllegalArgumentException("picture of " + image.capacity() + " bytes, expected " + size);
        }
        try (BytePointer data = new BytePointer(image)) {
            av_image_fill_arrays(picture.data(), picture.linesize(), data, PIXEL_FORMAT, width, height, 1);
            picture.pts(pts++);
            picture.quality(FF_QP2LAMBDA * qscale);
            int err = avcodec_send_frame(context, picture);
            if (err < 0) {
                throw new IllegalStateException("MJPEG encode failed: " + Ffmpeg.error(err));
            }
            err = avcodec_receive_packet(context, packet);
            if (err < 0) {
                throw new IllegalStateException("MJPEG encode gave no packet: " + Ffmpeg.error(err));
            }
            byte[] jpeg = new byte[packet.size()];
            packet.data().get(jpeg);
            av_packet_unref(packet);
            return jpeg;
        }
    }

    @Override
    public void close() {
        if (packet != null) {
            av_packet_free(packet);
            packet = null;
        }
        if (picture != null) {
            av_frame_free(picture);
            picture = null;
        }
        if (context != null) {
            avcodec_free_context(context);
            context = null;
        }
    }
}
