package memcubedb;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CountDownLatch;

import org.neo4j.configuration.GraphDatabaseSettings;
import org.neo4j.configuration.connectors.BoltConnector;
import org.neo4j.configuration.helpers.SocketAddress;
import org.neo4j.dbms.api.DatabaseManagementService;
import org.neo4j.dbms.api.DatabaseManagementServiceBuilder;
import org.neo4j.io.ByteUnit;

/**
 * Runs the Neo4j 5 Community engine as an embedded database management service with
 * the Bolt connector enabled on a loopback address.
 *
 * Arguments: HOME_DIR HOST PORT PAGECACHE_MB TX_TIMEOUT_S PASSWORD_FILE. Authentication is on:
 * the password of the built-in {@code neo4j} user is set, at every start, to the content of
 * PASSWORD_FILE (written by the project with mode 0600; the password never appears on a command
 * line). Prints "MEMCUBEDB-NEO4J READY" once the default database is available; shuts down
 * cleanly on SIGTERM/SIGINT.
 */
public final class EmbeddedNeo4j {
    private EmbeddedNeo4j() {}

    public static void main(String[] args) throws InterruptedException, IOException {
        if (args.length != 6) {
            System.err.println("usage: EmbeddedNeo4j HOME_DIR HOST PORT PAGECACHE_MB TX_TIMEOUT_S PASSWORD_FILE");
            System.exit(2);
        }
        Path home = Path.of(args[0]);
        String host = args[1];
        int port = Integer.parseInt(args[2]);
        long pageCacheMb = Long.parseLong(args[3]);
        long txTimeoutS = Long.parseLong(args[4]);
        String password = Files.readString(Path.of(args[5])).strip();

        DatabaseManagementService dbms = new DatabaseManagementServiceBuilder(home)
                .setConfig(BoltConnector.enabled, true)
                .setConfig(BoltConnector.listen_address, new SocketAddress(host, port))
                .setConfig(GraphDatabaseSettings.pagecache_memory, ByteUnit.mebiBytes(pageCacheMb))
                .setConfig(GraphDatabaseSettings.transaction_timeout, Duration.ofSeconds(txTimeoutS))
                // LOAD CSV may not read local files: analysts' read-only Cypher must not reach the disk.
                .setConfig(GraphDatabaseSettings.allow_file_urls, false)
                // Bolt clients must authenticate: no local process reaches the memories past the API.
                .setConfig(GraphDatabaseSettings.auth_enabled, true)
                .build();
        // The embedded API runs with full rights, so it may set the built-in user's password.
        dbms.database(GraphDatabaseSettings.SYSTEM_DATABASE_NAME).executeTransactionally(
                "ALTER USER neo4j SET PASSWORD $password CHANGE NOT REQUIRED", Map.of("password", password));
        dbms.database(GraphDatabaseSettings.DEFAULT_DATABASE_NAME);

        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            dbms.shutdown();
            stopped.countDown();
        }, "memcubedb-neo4j-shutdown"));
        System.out.println("MEMCUBEDB-NEO4J READY bolt://" + host + ":" + port);
        System.out.flush();
        stopped.await();
    }
}
