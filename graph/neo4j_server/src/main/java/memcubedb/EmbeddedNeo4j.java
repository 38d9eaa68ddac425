package memcubedb;

import java.nio.file.Path;
import java.time.Duration;
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
 * Arguments: HOME_DIR HOST PORT PAGECACHE_MB TX_TIMEOUT_S. Prints "MEMCUBEDB-NEO4J READY"
 * once the default database is available; shuts down cleanly on SIGTERM/SIGINT.
 */
public final class EmbeddedNeo4j {
    private EmbeddedNeo4j() {}

    public static void main(String[] args) throws InterruptedException {
        if (args.length != 5) {
            System.err.println("usage: EmbeddedNeo4j HOME_DIR HOST PORT PAGECACHE_MB TX_TIMEOUT_S");
            System.exit(2);
        }
        Path home = Path.of(args[0]);
        String host = args[1];
        int port = Integer.parseInt(args[2]);
        long pageCacheMb = Long.parseLong(args[3]);
        long txTimeoutS = Long.parseLong(args[4]);

        DatabaseManagementService dbms = new DatabaseManagementServiceBuilder(home)
                .setConfig(BoltConnector.enabled, true)
                .setConfig(BoltConnector.listen_address, new SocketAddress(host, port))
                .setConfig(GraphDatabaseSettings.pagecache_memory, ByteUnit.mebiBytes(pageCacheMb))
                .setConfig(GraphDatabaseSettings.transaction_timeout, Duration.ofSeconds(txTimeoutS))
                // LOAD CSV may not read local files: analysts' read-only Cypher must not reach the disk.
                .setConfig(GraphDatabaseSettings.allow_file_urls, false)
                .build();
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
