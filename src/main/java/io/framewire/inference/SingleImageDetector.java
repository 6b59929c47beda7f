package io.framewire.inference;

import io.framewire.protocol.Detection;
import java.util.ArrayList;
import java.util.List;
import org.bytedeco.opencv.opencv_core.Mat;

/** A detector whose model takes one image per pass: a batch runs image by image. */
interface SingleImageDetector extends Detector {

    /** Detections in one BGR image. */
    List<Detection> detect(Mat image);

    @Override
    default List<List<Detection>> detect(List<Mat> images) {
        List<List<Detection>> results = new ArrayList<>(images.size());
        for (Mat image : images) {
            results.add(detect(image));
        }
        return results;
    }
}
