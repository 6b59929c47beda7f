package io.framewire.camera;

import static org.bytedeco.ffmpeg.global.avutil.av_strerror;

import org.bytedeco.javacpp.BytePointer;

/** FFmpeg's error codes as text. */
final class Ffmpeg {
    private Ffmpeg() {}

    static String error(int code) {
        try (BytePointer buf = new BytePointer(256)) {
            av_strerror(code, buf, 256);
            return buf.getString() + " (" + code + ")";
        }
    }
}
