// Starts one real Apache Solr 9 node (Jetty + SolrDispatchFilter + CoreContainer, as in the
// distribution) through JettySolrRunner, bound to 127.0.0.1. Run with Java 11+ single-file launch:
//   java -cp '.cache/solr/lib/*' scripts/solr/SolrNode.java <solr-home> <port>
import java.nio.file.Path;
import java.util.Properties;
import org.apache.solr.embedded.JettyConfig;
import org.apache.solr.embedded.JettySolrRunner;

public class SolrNode {
    public static void main(String[] args) throws Exception {
        String home = Path.of(args[0]).toAbsolutePath().toString();
        int port = Integer.parseInt(args[1]);
        System.setProperty("host", "127.0.0.1");
        System.setProperty("solr.install.dir", home);
        JettyConfig config = JettyConfig.builder().setPort(port).setContext("/solr").build();
        JettySolrRunner runner = new JettySolrRunner(home, new Properties(), config);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try { runner.stop(); } catch (Exception e) { e.printStackTrace(); }
        }));
        runner.start();
        System.out.println("Solr " + org.apache.solr.core.SolrCore.version + " listening on "
                + runner.getBaseUrl());
        Thread.currentThread().join();
    }
}
