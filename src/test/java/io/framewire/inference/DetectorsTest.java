package io.framewire.inference;

import static io.framewire.inference.Fixtures.MESSI;
import static io.framewire.inference.Fixtures.YUNET;
import static io.framewire.inference.Fixtures.config;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.framewire.protocol.Detection;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.bytedeco.opencv.global.opencv_dnn;
import org.bytedeco.opencv.opencv_core.Mat;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class DetectorsTest {

    private static final int CORES = Runtime.getRuntime().availableProcessors();

    private static final boolean CUDA = DnnDevice.cudaDevices() > 0; // false with the default (CPU) OpenCV jar

    @Test
    void autoTakesCpuWithoutACudaDeviceAndSaysWhy() {
        DnnDevice device = DnnDevice.resolve(Device.AUTO, 0, d -> {
            throw new AssertionError("no CUDA device: nothing to probe");
        });

        assertThat(device.isCuda()).isFalse();
        assertThat(device.name()).isEqualTo("cpu");
        assertThat(device.backend()).isEqualTo(opencv_dnn.DNN_BACKEND_OPENCV);
        assertThat(device.target()).isEqualTo(opencv_dnn.DNN_TARGET_CPU);
        assertThat(device.reason()).isEqualTo("OpenCV built without CUDA / no CUDA device");
        assertThat(device.defaultWorkers()).isEqualTo(CORES);
    }

    @Test
    void autoTakesCudaWhenTheProbePasses() {
        List<DnnDevice> probed = new ArrayList<>();

        DnnDevice device = DnnDevice.resolve(Device.AUTO, 2, probed::add);

        assertThat(probed).containsExactly(device);
        assertThat(device.isCuda()).isTrue();
        assertThat(device.backend()).isEqualTo(opencv_dnn.DNN_BACKEND_CUDA);
        assertThat(device.target()).isEqualTo(opencv_dnn.DNN_TARGET_CUDA);
        assertThat(device.reason()).isEqualTo("2 CUDA device(s) and the probe forward passed");
        assertThat(device.defaultWorkers()).as("two executors per GPU").isEqualTo(4);
        assertThat(device.gpuOf(0)).isZero();
        assertThat(device.gpuOf(1)).isEqualTo(1);
        assertThat(device.gpuOf(2)).as("round-robin over the GPUs").isZero();
    }

    @Test
    void autoFallsBackToCpuWhenTheCudaProbeFails() {
        DnnDevice device = DnnDevice.resolve(Device.AUTO, 1, d -> {
            throw new IllegalStateException("CUDA driver version is insufficient");
        });

        assertThat(device.isCuda()).isFalse();
        assertThat(device.reason()).isEqualTo("CUDA probe failed: CUDA driver version is insufficient");
    }

    @Test
    void explicitDevicesMapToTheirBackendAndTarget() {
        assertThat(DnnDevice.resolve(Device.CPU, 1, d -> {}).target()).isEqualTo(opencv_dnn.DNN_TARGET_CPU);
        assertThat(DnnDevice.resolve(Device.CUDA, 1, d -> {}).target()).isEqualTo(opencv_dnn.DNN_TARGET_CUDA);
        DnnDevice fp16 = DnnDevice.resolve(Device.CUDA_FP16, 1, d -> {});
        assertThat(fp16.backend()).isEqualTo(opencv_dnn.DNN_BACKEND_CUDA);
        assertThat(fp16.target()).isEqualTo(opencv_dnn.DNN_TARGET_CUDA_FP16);
    }

    @Test
    void autoFactoryDescribesTheDeviceItChose() {
        DetectorFactory factory = Detectors.open(config("yunet", YUNET, "auto"));

        if (CUDA) {
            assertThat(factory.description()).startsWith("yunet yunet_s_640_640.onnx on cuda (");
        } else {
            assertThat(factory.description())
                    .isEqualTo("yunet yunet_s_640_640.onnx on cpu (OpenCV built without CUDA / no CUDA device)");
            assertThat(factory.defaultWorkers()).isEqualTo(CORES);
        }
    }

    @Test
    void aWrappedFactoryKeepsEverythingButItsDetectors() {
        DetectorFactory sim = Detectors.open(config("sim", null, "auto"));
        List<Integer> wrapped = new ArrayList<>();
        DetectorFactory w = sim.wrapping((worker, d) -> {
            wrapped.add(worker);
            return d;
        });

        assertThat(List.of(w.description(), w.defaultWorkers(), w.accelerated(), w.deviceLabel(), w.deviceOf(1)))
                .containsExactly(sim.description(), 2, true, "sim", 0);
        try (Detector d = w.newDetector(1)) {
            assertThat(d.maxBatch()).isEqualTo(Integer.MAX_VALUE);
        }
        assertThat(wrapped).containsExactly(1);
    }

    @ParameterizedTest
    @ValueSource(strings = {"cuda", "cuda-fp16"})
    void explicitCudaWithoutADeviceFailsAtOpen(String device) {
        if (CUDA) {
            assertThat(Detectors.open(config("yunet", YUNET, device)).description()).contains(" on " + device + " (");
            return;
        }
        assertThatThrownBy(() -> Detectors.open(config("yunet", YUNET, device)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("--device " + device + ": no CUDA device")
                .hasMessageContaining("-Pgpu");
    }

    @Test
    void unknownDetectorNamesTheSetting() {
        assertThatThrownBy(() -> Detectors.open(config("ssd", YUNET, "cpu")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("--detector: unknown detector 'ssd'");
    }

    @Test
    void unknownDeviceNamesTheSetting() {
        assertThatThrownBy(() -> Detectors.open(config("yunet", YUNET, "tpu")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("--device: unknown device 'tpu'");
    }

    @Test
    void missingModelFileNamesTheSetting(@TempDir Path dir) {
        Path missing = dir.resolve("nope.onnx");
        assertThatThrownBy(() -> Detectors.open(config("yunet", missing, "cpu")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("--model: no readable file at " + missing);
        assertThatThrownBy(() -> Detectors.open(config("yolo", null, "cpu")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("--model: required with --detector yolo");
    }

    @Test
    void yunetWithoutAModelRunsTheOneTheJarCarries() throws Exception {
        DetectorFactory factory = Detectors.open(config("yunet", null, "cpu"));
        assertThat(factory.description()).startsWith("yunet yunet_s_640_640.onnx on cpu");
        try (Detector detector = factory.newDetector(0); Mat image = Fixtures.messi()) {
            List<Detection> faces = detector.detect(List.of(image)).get(0);
            assertThat(faces).hasSize(1);
            assertThat(faces.get(0).score()).as("a real score, not haar's 1.0").isBetween(0.6f, 0.999f);
        }
        // the same bytes as the model the tests carry (OpenCV Zoo's 2023mar export)
        assertThat(Files.mismatch(YuNetDetector.builtInModel(), YUNET)).isEqualTo(-1L);
    }

    @Test
    void modelThatOpenCvCannotLoadNamesTheSetting() {
        assertThatThrownBy(() -> Detectors.open(config("yunet", MESSI, "cpu")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("--model: cannot run " + MESSI);
        assertThatThrownBy(() -> Detectors.open(config("haar", MESSI, "cpu")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("--model: ");
    }

    @Test
    void onnxModelThatIsNotYoloIsRefusedByTheYoloDetector() {
        assertThatThrownBy(() -> Detectors.open(config("yolo", YUNET, "cpu")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("--model: cannot run " + YUNET + " with --detector yolo on cpu");
    }

    @Test
    void unreadableOrEmptyLabelsNameTheSetting(@TempDir Path dir) throws Exception {
        Path missing = dir.resolve("missing.txt");
        assertThatThrownBy(() -> Detectors.open(new DetectorConfig("yolo", YUNET, "cpu", missing, 0.5f, 0.45f, 640)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("--labels: cannot read " + missing);
        Path blank = Files.writeString(dir.resolve("blank.txt"), "\n  \n");
        assertThatThrownBy(() -> Detectors.open(new DetectorConfig("yolo", YUNET, "cpu", blank, 0.5f, 0.45f, 640)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("--labels: " + blank + " lists no class names");
    }

    @Test
    void yoloInputSizeMustBeAMultipleOf32() {
        assertThatThrownBy(() -> Detectors.open(new DetectorConfig("yolo", YUNET, "cpu", null, 0.5f, 0.45f, 600)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("--inputSize: 600");
    }

    @Test
    void noneDetectorSkipsPixelsAndAllocatesNothingPerCall() {
        DetectorFactory factory = Detectors.open(config("none", null, "auto"));
        assertThat(factory.defaultWorkers()).isEqualTo(CORES);

        try (Detector detector = factory.newDetector()) {
            assertThat(detector.needsPixels()).isFalse();
            List<Mat> three = Arrays.asList(null, null, null);

            List<List<Detection>> first = detector.detect(three);

            assertThat(first).hasSize(3).allSatisfy(d -> assertThat(d).isEmpty());
            assertThat(detector.detect(three)).isSameAs(first);
            assertThat(detector.detect(List.of())).isEmpty();
        }
    }
}
