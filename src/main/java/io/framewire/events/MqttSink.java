package io.framewire.events;

import java.nio.charset.StandardCharsets;
import java.util.List;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.MqttException;
import org.eclipse.paho.client.mqttv3.MqttMessage;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;

/**
 * Events to an MQTT broker (Eclipse Paho), the shape Home Assistant users know from Frigate: each
 * event's JSON on {@code framewire/events} (QoS 1), and the zone's count of the event's label,
 * retained, on {@code framewire/{stream}/{zone}/{label}} (QoS 1), so a subscriber that connects
 * later reads every zone's current count at once. Zone names and labels hold no {@code / + #}.
 */
final class MqttSink extends Sink {

    static final String EVENTS_TOPIC = "framewire/events";

    private final String url;
    private final String clientId;
    private final int timeoutSeconds;
    private MqttClient client;

    MqttSink(String url, String clientId, int queueBound, int timeoutSeconds, Ticker ticker) {
        super("mqtt", queueBound, 64, ticker, 200_000_000L, 30_000_000_000L);
        this.url = url;
        this.clientId = clientId;
        this.timeoutSeconds = timeoutSeconds;
    }

    static String countTopic(Event e) {
        return "framewire/" + e.stream() + "/" + e.zone() + "/" + e.label();
    }

    @Override
    void deliver(List<Event> batch) throws MqttException {
        if (client == null || !client.isConnected()) {
            connect();
        }
        while (!batch.isEmpty()) {
            Event e = batch.getFirst();
            try {
                client.publish(EVENTS_TOPIC, message(e.json(), false));
                if (!e.type().equals("dwell")) {
                    client.publish(countTopic(e), message(Integer.toString(e.count()), true));
                }
            } catch (MqttException ex) {
                drop();
                throw ex;
            }
            batch.removeFirst();
        }
    }

    private static MqttMessage message(String text, boolean retained) {
        MqttMessage m = new MqttMessage(text.getBytes(StandardCharsets.UTF_8));
        m.setQos(1);
        m.setRetained(retained);
        return m;
    }

    private void connect() throws MqttException {
        drop();
        MqttClient c = new MqttClient(url, clientId, new MemoryPersistence());
        MqttConnectOptions o = new MqttConnectOptions();
        o.setCleanSession(true);
        o.setConnectionTimeout(timeoutSeconds);
        o.setAutomaticReconnect(false); // this sink's own retry loop reconnects, with its backoff
        try {
            c.connect(o);
        } catch (MqttException ex) {
            c.close(true);
            throw ex;
        }
        c.setTimeToWait(timeoutSeconds * 1000L);
        client = c;
    }

    private void drop() {
        if (client != null) {
            try {
                if (client.isConnected()) {
                    client.disconnectForcibly(100, 100);
                }
                client.close(true);
            } catch (MqttException ignored) {
                // going anyway
            }
            client = null;
        }
    }

    @Override
    public void close() {
        super.close();
        drop();
    }
}
