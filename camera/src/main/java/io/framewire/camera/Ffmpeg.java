package io.framewire.camera;

import static org.bytedeco.ffmpeg.global.avutil.av_strerror;

import org.bytedeco.javacpp.BytePointer;

/** FFmpeg's error codes as text. */
final class Ffmpeg {
    private Ffmpeg() {}

    static String error(int code) {
        try (BytePointer buf = new BytePointer(256)) {
            av_strerror(code, buf, 256);
            String text = buf.getString();
            int nul = text.indexOf('\0'); // the buffer's full capacity is read: cut at the C string's end
            return (nul >= 0 ? text.substring(0, nul) : text) + " (" + code + ")";
        }
    }
}
