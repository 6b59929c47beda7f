package io.framewire.inference;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** Class names of a YOLO model: a labels file, else the COCO-80 names, else "class&lt;N&gt;". */
final class Labels {

    static final List<String> COCO = List.of(
            "person", "bicycle", "car", "motorcycle", "airplane", "bus", "train", "truck", "boat",
            "traffic light", "fire hydrant", "stop sign", "parking meter", "bench", "bird", "cat", "dog",
            "horse", "sheep", "cow", "elephant", "bear", "zebra", "giraffe", "backpack", "umbrella",
            "handbag", "tie", "suitcase", "frisbee", "skis", "snowboard", "sports ball", "kite",
            "baseball bat", "baseball glove", "skateboard", "surfboard", "tennis racket", "bottle",
            "wine glass", "cup", "fork", "knife", "spoon", "bowl", "banana", "apple", "sandwich", "orange",
            "broccoli", "carrot", "hot dog", "pizza", "donut", "cake", "chair", "couch", "potted plant",
            "bed", "dining table", "toilet", "tv", "laptop", "mouse", "remote", "keyboard", "cell phone",
            "microwave", "oven", "toaster", "sink", "refrigerator", "book", "clock", "vase", "scissors",
            "teddy bear", "hair drier", "toothbrush");

    private Labels() {}

    /** One name per line, blank lines skipped; an unreadable or empty file names {@code --labels}. */
    static List<String> read(Path file) {
        List<String> names;
        try {
            names = Files.readAllLines(file, StandardCharsets.UTF_8).stream()
                    .map(String::strip)
                    .filter(s -> !s.isEmpty())
                    .toList();
        } catch (IOException e) {
            throw new IllegalArgumentException("--labels: cannot read " + file + " (" + e + ")", e);
        }
        if (names.isEmpty()) {
            throw new IllegalArgumentException("--labels: " + file + " lists no class names");
        }
        return names;
    }

    /** Name of class {@code cls} of a model with {@code classes} classes; {@code names} may be null. */
    static String name(List<String> names, int cls, int classes) {
        if (names != null && cls < names.size()) {
            return names.get(cls);
        }
        return classes == COCO.size() ? COCO.get(cls) : "class" + cls;
    }
}
