package io.framewire.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** Messages the server sends (some it does not send yet) parse into the typed records; unknown ones do not. */
class WireTest {

    @Test
    void result() throws Exception {
        Message.Result r = (Message.Result) Wire.parse("""
                {"type":"result","stream":"cam-1","seq":41,"width":320,"height":240,"dropped":3,"gated":false,
                 "detections":[{"label":"face","score":0.93,"box":[10,20,30,40],"track":7},{"label":"face","score":0.7,"box":[1,2,3,4]}],
                 "advice":{"fps":12.5},"timing":{"queue_ms":1.2,"decode_ms":0.4,"infer_ms":3.1,"total_ms":4.9,"batch":1},
                 "future":"field"}""").orElseThrow();
        assertThat(r.seq()).isEqualTo(41);
        assertThat(r.dropped()).isEqualTo(3);
        assertThat(r.adviceFps()).isEqualTo(12.5);
        assertThat(r.detections()).containsExactly(new Message.Detection("face", 0.93, 10, 20, 30, 40, 7),
                new Message.Detection("face", 0.7, 1, 2, 3, 4, 0));
        assertThat(r.timing().batch()).isEqualTo(1);
        assertThat(r.entry()).isNull();
    }

    @Test
    void statusErrorWatching() throws Exception {
        assertThat(Wire.parse("{\"type\":\"status\",\"stream\":\"cam-1\",\"dropped\":17,\"advice\":{\"fps\":4.5}}"))
                .contains(new Message.Status(null, "cam-1", 17, 4.5));
        assertThat(Wire.parse("{\"type\":\"error\",\"code\":\"rate_limited\",\"message\":\"m\",\"dropped\":2}"))
                .contains(new Message.FrameError(null, -1, "rate_limited", "m", 2));
        assertThat(Wire.parse("{\"entry\":\"1-0\",\"type\":\"watching\",\"stream\":\"s\",\"from\":\"0-0\"}"))
                .contains(new Message.Watching("1-0", "s", "0-0"));
        assertThat(Wire.parse("{\"type\":\"result\",\"seq\":1}").orElseThrow())
                .isInstanceOfSatisfying(Message.Result.class, r -> assertThat(r.adviceFps()).isEqualTo(-1));
    }

    @Test
    void unknownTypesAreIgnoredAndNonObjectsRefused() throws Exception {
        assertThat(Wire.parse("{\"type\":\"something-new\",\"x\":1}")).isEmpty();
        assertThat(Wire.parse("{}")).isEmpty();
        assertThatThrownBy(() -> Wire.parse("[1,2]")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void retryAfter() {
        assertThat(FramewireClient.retryAfterMs("5")).isEqualTo(5_000);
        assertThat(FramewireClient.retryAfterMs("Wed, 21 Oct 2015 07:28:00 GMT")).isZero();
        assertThat(FramewireClient.retryAfterMs("99999999")).isEqualTo(3_600_000);
    }
}
