package org.ftpsgateway.tls;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class UploadTicketsTest {

  @Test
  void waitsUntilAWaitWasInVain() {
    UploadTickets t = new UploadTickets();
    assertThat(t.expected()).isTrue();
    t.noneCame();
    assertThat(t.expected()).isFalse();
  }

  @Test
  void aServerThatSentATicketIsAlwaysWaitedFor() {
    UploadTickets t = new UploadTickets();
    t.came();
    t.noneCame(); // late under load: the next data connection still needs the ticket
    assertThat(t.expected()).isTrue();
  }
}
