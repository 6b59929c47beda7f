/**
 * framewire's Java client: {@link io.framewire.client.FramewireClient} publishes frames (or watches a
 * stream) and follows the README's client contract. No server class is used here.
 */
package io.framewire.client;
