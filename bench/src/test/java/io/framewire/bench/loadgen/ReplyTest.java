package io.framewire.bench.loadgen;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class ReplyTest {

    @Test
    void result() {
        Reply r = Reply.parse("{\"type\":\"result\",\"stream\":\"cam-1\",\"seq\":41,\"width\":320,\"height\":240,"
                + "\"dropped\":3,\"detections\":[{\"x\":1,\"seq\":999,\"dropped\":7}],\"timing\":{\"seq\":5}}");
        assertThat(r).isEqualTo(new Reply(Reply.Kind.RESULT, 41, 3, null));
    }

    @Test
    void fieldOrderAndWhitespaceDoNotMatter() {
        Reply r = Reply.parse(" { \"detections\" : [ ] , \"dropped\" : 0 ,\n \"seq\" : 7 , \"type\" : \"result\" } ");
        assertThat(r).isEqualTo(new Reply(Reply.Kind.RESULT, 7, 0, null));
    }

    @Test
    void adviceOfAResult() {
        Reply r = Reply.parse("{\"type\":\"result\",\"seq\":4,\"dropped\":0,\"gated\":true,"
                + "\"detections\":[{\"label\":\"face\",\"track\":3}],\"advice\":{\"fps\":7.5,\"later\":[1]},\"timing\":{}}");
        assertThat(r).isEqualTo(new Reply(Reply.Kind.RESULT, 4, 0, null, 7.5));
        assertThat(Reply.parse("{\"type\":\"result\",\"seq\":1,\"advice\":{}}").adviceFps()).isEqualTo(-1);
        assertThat(Reply.parse("{\"type\":\"result\",\"seq\":1,\"advice\":3}").adviceFps()).isEqualTo(-1);
    }

    @Test
    void error() {
        Reply r = Reply.parse("{\"type\":\"error\",\"seq\":12,\"code\":\"bad_image\",\"message\":\"not a \\\"jpeg\\\"\",\"dropped\":2}");
        assertThat(r).isEqualTo(new Reply(Reply.Kind.ERROR, 12, 2, "bad_image"));
    }

    @Test
    void errorWithoutSeq() {
        Reply r = Reply.parse("{\"type\":\"error\",\"code\":\"overloaded\"}");
        assertThat(r).isEqualTo(new Reply(Reply.Kind.ERROR, -1, 0, "overloaded"));
    }

    @Test
    void fromBytesSlice() {
        byte[] b = "xx{\"type\":\"result\",\"seq\":3,\"dropped\":1}yy".getBytes(StandardCharsets.UTF_8);
        assertThat(Reply.parse(b, 2, b.length - 4)).isEqualTo(new Reply(Reply.Kind.RESULT, 3, 1, null));
    }

    @Test
    void otherAndGarbage() {
        assertThat(Reply.parse("{\"type\":\"hello\"}").kind()).isEqualTo(Reply.Kind.OTHER);
        assertThat(Reply.parse("{\"type\":\"hello\"}").code()).isEqualTo("type:hello");
        assertThat(Reply.parse("not json")).isEqualTo(Reply.UNPARSABLE);
        assertThat(Reply.parse("[1,2]")).isEqualTo(Reply.UNPARSABLE);
        assertThat(Reply.parse("{\"type\":\"result\",\"seq\":")).isEqualTo(Reply.UNPARSABLE);
    }

    @Test
    void aStatusIsASignOfLifeWithTheAdvice() {
        Reply r = Reply.parse("{\"type\":\"status\",\"stream\":\"cam-1\",\"dropped\":12,\"advice\":{\"fps\":2.5}}");
        assertThat(r.kind()).isEqualTo(Reply.Kind.STATUS);
        assertThat(r.adviceFps()).isEqualTo(2.5);
        assertThat(r.dropped()).isEqualTo(12);
    }
}
