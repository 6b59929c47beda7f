/**
 * framewire's Java client: {@link io.framewire.client.FramewireClient} publishes frames (or watches a
 * stream) and follows the client contract (docs/protocol.md). No server class is used here.
 */
package io.framewire.client;
