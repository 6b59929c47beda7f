package io.framewire.testing;

import java.io.File;
import java.net.ServerSocket;
import java.nio.file.Files;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;

/** A real {@code mosquitto} (Debian's) on a free loopback port, anonymous, without persistence. */
public final class Mosquitto implements AutoCloseable {

    private final Process process;
    private final String url;

    private Mosquitto(Process process, String url) {
        this.process = process;
        this.url = url;
    }

    public static Mosquitto start() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        File conf = File.createTempFile("mosquitto-", ".conf");
        conf.deleteOnExit();
        Files.writeString(conf.toPath(), "listener " + port + " 127.0.0.1\nallow_anonymous true\npersistence false\n");
        File log = File.createTempFile("mosquitto-", ".log");
        log.deleteOnExit();
        Process p = new ProcessBuilder(new File("/usr/sbin/mosquitto").canExecute() ? "/usr/sbin/mosquitto" : "mosquitto", "-c", conf.getPath()).redirectErrorStream(true).redirectOutput(log).start();
        Mosquitto m = new Mosquitto(p, "tcp://127.0.0.1:" + port);
        Waits.await().until(() -> {
            if (!p.isAlive()) {
                throw new IllegalStateException("mosquitto exited: " + Files.readString(log.toPath()));
            }
            try {
                m.client("probe").disconnect();
                return true;
            } catch (Exception e) {
                return false;
            }
        });
        return m;
    }

    public String url() {
        return url;
    }

    /** A connected Paho client (clean session). */
    public MqttClient client(String id) throws Exception {
        MqttClient c = new MqttClient(url, id, new MemoryPersistence());
        MqttConnectOptions o = new MqttConnectOptions();
        o.setCleanSession(true);
        c.connect(o);
        return c;
    }

    @Override
    public void close() throws InterruptedException {
        process.destroy();
        process.waitFor();
    }
}
