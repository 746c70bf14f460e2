package org.ftpsgateway.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Base64;
import java.util.HexFormat;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class Sha256PinTest {

  private static final byte[] DIGEST = HexFormat.of().parseHex("00ff".repeat(16));
  private static final String COLONS = "00:FF:".repeat(15) + "00:FF";

  /** Every form an operator may paste is the same pin, printed the way openssl prints it. */
  @ParameterizedTest
  @ValueSource(strings = {
      "00:FF:00:FF:00:FF:00:FF:00:FF:00:FF:00:FF:00:FF:00:FF:00:FF:00:FF:00:FF:00:FF:00:FF:00:FF:00:FF",
      "00ff00ff00ff00ff00ff00ff00ff00ff00ff00ff00ff00ff00ff00ff00ff00ff",
      "sha256 Fingerprint=00:FF:00:FF:00:FF:00:FF:00:FF:00:FF:00:FF:00:FF:00:FF:00:FF:00:FF:00:FF:00:FF:00:FF:00:FF:00:FF",
      "  SHA256 FINGERPRINT = 00ff00ff00ff00ff00ff00ff00ff00ff00ff00ff00ff00ff00ff00ff00ff00ff  ",
      "sha256//AP8A/wD/AP8A/wD/AP8A/wD/AP8A/wD/AP8A/wD/AP8="})
  void parsesEveryAcceptedForm(String text) {
    Sha256Pin pin = Sha256Pin.parse(text);
    assertThat(pin.toString()).isEqualTo(COLONS);
    assertThat(pin).isEqualTo(Sha256Pin.parse(COLONS)).hasSameHashCodeAs(Sha256Pin.parse(COLONS));
    assertThat(pin.matches(DIGEST)).isTrue();
    byte[] other = DIGEST.clone();
    other[31] ^= 1;
    assertThat(pin.matches(other)).isFalse();
  }

  @ParameterizedTest
  @ValueSource(strings = {"AB:CD", "GGGGGGGGGGGGGGGGGGGGGGGGGGGGGGGGGGGGGGGGGGGGGGGGGGGGGGGGGGGGGGGG", "sha256//not base64!", "sha256//AAAA", ""})
  void refusesWithASentence(String text) {
    assertThatThrownBy(() -> Sha256Pin.parse(text)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("'" + text + "'");
  }

  @ParameterizedTest
  @ValueSource(ints = {0, 31})
  void base64PinOfTheWrongLengthIsRefused(int length) {
    String text = "sha256//" + Base64.getEncoder().encodeToString(new byte[length]);
    assertThatThrownBy(() -> Sha256Pin.parse(text)).hasMessageContaining("32 bytes");
  }
}
