package org.ftpsgateway.data;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.BindException;
import java.net.SocketException;
import org.junit.jupiter.api.Test;

/** The bind failure texts an operator reads in the log and the client in its 425. */
class SourcePortConnectorTest {

  @Test
  void privilegedPortWithoutThePrivilegeNamesTheCapability() {
    assertThat(SourcePortConnector.bindFailureText("0.0.0.0", 20, new BindException("Permission denied")))
        .isEqualTo("cannot bind source port 20 on 0.0.0.0: ports below 1024 need root or CAP_NET_BIND_SERVICE"
            + " (Permission denied)");
    // the native transport reports it in its own words
    assertThat(SourcePortConnector.bindFailureText("10.0.0.1", 20,
        new SocketException("bind(..) failed: Permission denied")))
        .contains("need root or CAP_NET_BIND_SERVICE");
  }

  @Test
  void aTakenPortSaysSo() {
    assertThat(SourcePortConnector.bindFailureText("127.0.0.1", 47790, new BindException("Address already in use")))
        .isEqualTo("cannot bind source port 47790 on 127.0.0.1: Address already in use (another socket holds it;"
            + " choose a port outside the ephemeral range, e.g. 20)");
    assertThat(SourcePortConnector.bindFailureText("127.0.0.1", 20, new BindException("Address already in use")))
        .doesNotContain("CAP_NET_BIND_SERVICE");
  }
}
