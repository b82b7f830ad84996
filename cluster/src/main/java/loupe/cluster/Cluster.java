package loupe.cluster;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Map;

import org.opensearch.common.settings.Settings;
import org.opensearch.node.InternalSettingsPreparer;
import org.opensearch.node.Node;
import org.opensearch.plugins.Plugin;
import org.opensearch.analysis.common.CommonAnalysisPlugin;
import org.opensearch.transport.Netty4Plugin;

/**
 * An OpenSearch cluster of N nodes in this JVM, each with its own data folder and its own HTTP
 * and transport ports on 127.0.0.1. Controlled through files in the work folder (see run.sh):
 * {@code urls} lists the nodes' HTTP base URLs once they have started; a file
 * {@code stop-node-K} stops node K (1-based) and {@code stop} stops them all.
 */
public final class Cluster {
    /** A node started with plugins from the class path (OpenSearch's own tests do the same). */
    static final class ClasspathNode extends Node {
        ClasspathNode(Settings settings, Collection<Class<? extends Plugin>> plugins) {
            super(InternalSettingsPreparer.prepareEnvironment(settings, Map.of(), null, () -> settings.get("node.name")),
                plugins, false);
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    public static void main(String[] args) throws Exception {
        if (args.length != 2) {
            System.err.println("usage: Cluster NODES WORK_DIR");
            System.exit(2);
        }
        int count = Integer.parseInt(args[0]);
        Path work = Path.of(args[1]).toAbsolutePath();
        Files.createDirectories(work);
        // Several nodes in one JVM: Netty's processor count may be set only once.
        System.setProperty("opensearch.set.netty.runtime.available.processors", "false");

        int[] http = new int[count];
        int[] transport = new int[count];
        List<String> seeds = new ArrayList<>();
        List<String> names = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            http[i] = freePort();
            transport[i] = freePort();
            seeds.add("127.0.0.1:" + transport[i]);
            names.add("node-" + (i + 1));
        }
        List<Class<? extends Plugin>> plugins = List.of(Netty4Plugin.class, CommonAnalysisPlugin.class);
        Node[] nodes = new Node[count];
        for (int i = 0; i < count; i++) {
            Path home = work.resolve(names.get(i));
            Settings settings = Settings.builder()
                .put("cluster.name", "loupe-cluster")
                .put("node.name", names.get(i))
                .put("path.home", home.toString())
                .put("path.data", home.resolve("data").toString())
                .put("path.logs", home.resolve("logs").toString())
                .put("network.host", "127.0.0.1")
                .put("http.port", http[i])
                .put("transport.port", transport[i])
                .put("http.type", "netty4")
                .put("transport.type", "netty4")
                .putList("discovery.seed_hosts", seeds)
                .putList("cluster.initial_cluster_manager_nodes", names)
                // A test machine's disk may be nearly full; shards must be placed all the same.
                .put("cluster.routing.allocation.disk.threshold_enabled", false)
                .put("action.auto_create_index", false)
                .build();
            nodes[i] = new ClasspathNode(settings, plugins);
        }
        // Started together: each node waits for the others to form the cluster.
        List<Thread> starting = new ArrayList<>();
        Throwable[] failure = new Throwable[1];
        for (Node node : nodes) {
            Thread t = new Thread(() -> {
                try {
                    node.start();
                } catch (Throwable e) {
                    failure[0] = e;
                }
            });
            t.start();
            starting.add(t);
        }
        for (Thread t : starting) {
            t.join();
        }
        if (failure[0] != null) {
            failure[0].printStackTrace();
            System.exit(1);
        }
        StringBuilder urls = new StringBuilder();
        for (int port : http) {
            urls.append("http://127.0.0.1:").append(port).append('\n');
        }
        Path tmp = work.resolve("urls.tmp");
        Files.writeString(tmp, urls.toString(), StandardCharsets.UTF_8);
        Files.move(tmp, work.resolve("urls"), java.nio.file.StandardCopyOption.ATOMIC_MOVE);

        boolean[] stopped = new boolean[count];
        while (true) {
            if (Files.exists(work.resolve("stop"))) {
                break;
            }
            for (int i = 0; i < count; i++) {
                if (!stopped[i] && Files.exists(work.resolve("stop-node-" + (i + 1)))) {
                    nodes[i].close();
                    stopped[i] = true;
                    Files.writeString(work.resolve("stopped-node-" + (i + 1)), "");
                }
            }
            Thread.sleep(100);
        }
        for (int i = 0; i < count; i++) {
            if (!stopped[i]) {
                nodes[i].close();
            }
        }
        System.exit(0);
    }
}
