package org.ftpsgateway.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.ftpsgateway.data.Direction;
import org.junit.jupiter.api.Test;

class VerbsTest {

  @Test
  void dataIsDownloadsThenUploadsWithoutOverlap() {
    List<String> both = new ArrayList<>(Verbs.DOWNLOADS);
    both.addAll(Verbs.UPLOADS);
    assertThat(Verbs.DATA).containsExactlyElementsOf(both).doesNotHaveDuplicates();
  }

  @Test
  void verbsAreMatchedInAnyCase() {
    assertThat(Verbs.opensData("retr")).isTrue();
    assertThat(Verbs.opensData("Mlsd")).isTrue();
    assertThat(Verbs.opensData("PASV")).isFalse();
    assertThat(Verbs.opensData("SIZE")).isFalse();
    assertThat(Verbs.uploads("appe")).isTrue();
    assertThat(Verbs.uploads("RETR")).isFalse();
  }

  @Test
  void directionFollowsTheLists() {
    for (String verb : Verbs.DOWNLOADS) {
      assertThat(Direction.of(verb)).as(verb).isEqualTo(Direction.DOWNLOAD);
    }
    for (String verb : Verbs.UPLOADS) {
      assertThat(Direction.of(verb.toLowerCase())).as(verb).isEqualTo(Direction.UPLOAD);
    }
    assertThat(Direction.of("NOOP")).isNull();
  }
}
