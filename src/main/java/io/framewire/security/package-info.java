/**
 * Who may publish or watch which stream, decided once at the upgrade: allowed Origins, JWT
 * verification with nimbus-jose-jwt ({@code TokenVerifier}), stream grants, all behind
 * {@code Authorizer}; its settings in {@code AuthConfig}. The only package that uses nimbus.
 *
 * <p>May use: nothing in framewire.
 */
package io.framewire.security;
