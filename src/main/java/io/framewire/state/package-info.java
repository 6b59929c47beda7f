/**
 * What the hosts of a fleet share ({@code SharedState}): stream records, takeover, resume totals
 * and the results feed for watchers; in this process ({@code LocalState}) or through Redis
 * ({@code RedisState} and its background loops), and a few plain commands for the events package
 * ({@code RedisCommands}: zones, event streams, pictures). The only package that talks to Redis. It sees a
 * publishing connection as a {@code Publisher} and a watcher as a {@code Watcher}, both implemented
 * in {@code stream}, so the dependency goes one way: stream uses state.
 *
 * <p>May use: {@code protocol}, {@code metrics}, {@code tracking}.
 */
package io.framewire.state;
