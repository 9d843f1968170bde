import java.lang.reflect.Field;
import org.eclipse.jetty.server.Connector;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import software.amazon.dynamodb.services.local.main.ServerRunner;
import software.amazon.dynamodb.services.local.server.DynamoDBProxyServer;

/**
 * DynamoDB Local bound to loopback. The jar has no host option: its Jetty server listens on every
 * interface, so anyone on the network could read and write the local table without credentials.
 * This launcher builds the server exactly as the jar's own main does (same command-line
 * arguments), points each of its Jetty connectors at 127.0.0.1 before it starts, then waits.
 *
 * Run in Java 17+ single-file source mode by lib/local/dynamodb-local.ts:
 *   java -cp "DynamoDBLocal.jar:DynamoDBLocal_lib/*" -Djava.library.path=DynamoDBLocal_lib \
 *     [-Dloopback.exitWithParent=true] lib/local/LoopbackDynamoDBLocal.java \
 *     -port N [-dbPath DIR | -inMemory] -sharedDb -disableTelemetry
 * With loopback.exitWithParent it exits once its stdin closes (the parent process ended). It prints
 * "DynamoDB Local listening on 127.0.0.1:PORT" once it serves, and exits 1 if it cannot start.
 */
public class LoopbackDynamoDBLocal {
  static final String HOST = "127.0.0.1";

  public static void main(String[] args) throws Exception {
    if (Boolean.getBoolean("loopback.exitWithParent")) exitWithParent();
    DynamoDBProxyServer proxy = ServerRunner.createServerFromCommandLineArgs(args);
    Field field = DynamoDBProxyServer.class.getDeclaredField("server");
    field.setAccessible(true);
    Server jetty = (Server) field.get(proxy);
    Connector[] connectors = jetty.getConnectors();
    if (connectors.length == 0) throw new IllegalStateException("DynamoDB Local has no connector to bind");
    for (Connector connector : connectors) {
      if (!(connector instanceof ServerConnector)) {
        throw new IllegalStateException("unexpected connector " + connector.getClass().getName() + ": refusing to listen on every interface");
      }
      ((ServerConnector) connector).setHost(HOST);
    }
    try {
      proxy.start();
    } catch (Exception e) {
      // Jetty's threads would keep the JVM alive after a failed start (a port taken): exit instead.
      System.err.println("DynamoDB Local could not start: " + e);
      for (Throwable cause = e.getCause(); cause != null; cause = cause.getCause()) System.err.println("  caused by: " + cause);
      System.exit(1);
    }
    for (Connector connector : jetty.getConnectors()) {
      ServerConnector bound = (ServerConnector) connector;
      System.out.println("DynamoDB Local listening on " + bound.getHost() + ":" + bound.getLocalPort());
    }
    proxy.join();
  }

  /**
   * The parent holds our stdin open: it closes when the parent ends, SIGKILL included. Exit then,
   * rather than linger with the database files open and the port taken.
   */
  static void exitWithParent() {
    Thread watch = new Thread(() -> {
      try {
        byte[] buffer = new byte[256];
        while (System.in.read(buffer) != -1) {}
      } catch (java.io.IOException ignored) {
        // A broken stdin means the same: the parent is gone.
      }
      System.exit(0);
    }, "exit-with-parent");
    watch.setDaemon(true);
    watch.start();
  }
}
