// Lucene peer: units indexed in memory with Lucene's GermanAnalyzer (standard
// tokenizer, lower case, German stop words, German normalization, light German
// stemmer), ranked by BM25 (k1 = 1.2, b = 0.75, as tantivy's). Fields `title`
// (boost 3, ratsuche's title boost) and `text`; queries go through the classic
// MultiFieldQueryParser with AND as default operator, and when AND finds
// nothing through the same parser with OR. Phrases in double quotes are kept,
// every other query-syntax character is escaped so user words are words.
//
// Build and run against the anserini fat jar from PyPI's pyserini 1.6.0 sdist
// (benches/relevance.rs does both):
//   javac -cp anserini-1.7.1-fatjar.jar -d OUT LuceneGerman.java
//   java -cp anserini-1.7.1-fatjar.jar:OUT LuceneGerman --units U.jsonl \
//        --queries Q.tsv --run OUT.trec [--depth 100] [--stats S.json] [--tag T] [--passes 1] \
//        [--threads 1] [--store no] [--index-dir DIR] [--ram-mb 16]
// Arguments and formats are those of common.py in this folder. By default the
// units go into memory (ByteBuffersDirectory) from one thread with only the id
// stored, Lucene's defaults otherwise. The last four arguments let the speed
// bench (issue 6) also run Lucene doing the work `ratsuche index` does: the
// text stored, the index written to DIR on disk (FSDirectory) and committed,
// N threads calling addDocument, and the writer's RAM buffer set to MB.
// --stats then also holds index_cpu_seconds: the JVM's CPU time (all its
// threads: JIT, GC, merges) from the start to the end of indexing.

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.PrintWriter;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.apache.lucene.analysis.de.GermanAnalyzer;
import org.apache.lucene.document.Document;
import org.apache.lucene.document.Field;
import org.apache.lucene.document.StoredField;
import org.apache.lucene.document.TextField;
import org.apache.lucene.index.DirectoryReader;
import org.apache.lucene.index.IndexWriter;
import org.apache.lucene.index.IndexWriterConfig;
import org.apache.lucene.queryparser.classic.MultiFieldQueryParser;
import org.apache.lucene.queryparser.classic.ParseException;
import org.apache.lucene.queryparser.classic.QueryParser;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.search.Query;
import org.apache.lucene.search.ScoreDoc;
import org.apache.lucene.search.similarities.BM25Similarity;
import org.apache.lucene.store.ByteBuffersDirectory;
import org.apache.lucene.store.Directory;
import org.apache.lucene.store.FSDirectory;

public class LuceneGerman {
  static final String ENGINE = "lucene-german";
  static final float TITLE_BOOST = 3.0f;

  public static void main(String[] argv) throws Exception {
    Map<String, String> args = new HashMap<>();
    args.put("--depth", "100");
    for (int i = 0; i + 1 < argv.length; i += 2) args.put(argv[i], argv[i + 1]);
    for (String required : new String[] {"--units", "--queries", "--run"}) {
      if (!args.containsKey(required)) {
        System.err.println("LuceneGerman: missing " + required + " (see the header of LuceneGerman.java)");
        System.exit(2);
      }
    }
    int depth = Integer.parseInt(args.get("--depth"));
    String tag = args.getOrDefault("--tag", ENGINE);
    ObjectMapper json = new ObjectMapper();

    List<String[]> units = new ArrayList<>();
    for (String line : Files.readAllLines(Paths.get(args.get("--units")), StandardCharsets.UTF_8)) {
      if (line.isBlank()) continue;
      JsonNode u = json.readTree(line);
      units.add(new String[] {u.get("id").asText(), text(u, "title"), text(u, "text")});
    }
    List<String[]> queries = new ArrayList<>();
    int n = 0;
    for (String line : Files.readAllLines(Paths.get(args.get("--queries")), StandardCharsets.UTF_8)) {
      n++;
      if (line.isBlank() || line.startsWith("#")) continue;
      int tab = line.indexOf('\t');
      queries.add(tab < 0
          ? new String[] {Integer.toString(n), line.trim()}
          : new String[] {line.substring(0, tab).trim(), line.substring(tab + 1).trim()});
    }

    int threads = Integer.parseInt(args.getOrDefault("--threads", "1"));
    String storeArg = args.getOrDefault("--store", "no");
    if (!storeArg.equals("yes") && !storeArg.equals("no")) {
      System.err.println("LuceneGerman: --store takes yes or no, not " + storeArg);
      System.exit(2);
    }
    Field.Store store = storeArg.equals("yes") ? Field.Store.YES : Field.Store.NO;
    GermanAnalyzer analyzer = new GermanAnalyzer();
    BM25Similarity bm25 = new BM25Similarity(1.2f, 0.75f);
    long cpuStart = processCpuNanos();
    long start = System.nanoTime();
    Directory dir = args.containsKey("--index-dir")
        ? FSDirectory.open(Paths.get(args.get("--index-dir")))
        : new ByteBuffersDirectory();
    IndexWriterConfig config = new IndexWriterConfig(analyzer).setSimilarity(bm25);
    if (args.containsKey("--ram-mb")) config.setRAMBufferSizeMB(Double.parseDouble(args.get("--ram-mb")));
    // A fresh index even in a folder that holds one (a run by hand, twice).
    config.setOpenMode(IndexWriterConfig.OpenMode.CREATE);
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try (IndexWriter writer = new IndexWriter(dir, config)) {
      // Thread t adds units t, t + threads, t + 2 * threads, …
      List<Future<?>> done = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        final int first = t;
        done.add(pool.submit(() -> {
          for (int i = first; i < units.size(); i += threads) {
            String[] u = units.get(i);
            Document doc = new Document();
            doc.add(new StoredField("id", u[0]));
            doc.add(new TextField("title", u[1], store));
            doc.add(new TextField("text", u[2], store));
            writer.addDocument(doc);
          }
          return null;
        }));
      }
      for (Future<?> f : done) f.get();
      writer.commit();
    } finally {
      // Its threads would keep the JVM alive after an indexing error.
      pool.shutdownNow();
    }
    double indexSeconds = (System.nanoTime() - start) / 1e9;
    double indexCpuSeconds = (processCpuNanos() - cpuStart) / 1e9;

    DirectoryReader reader = DirectoryReader.open(dir);
    IndexSearcher searcher = new IndexSearcher(reader);
    searcher.setSimilarity(bm25);
    String[] fields = {"title", "text"};
    Map<String, Float> boosts = Map.of("title", TITLE_BOOST, "text", 1.0f);
    int passes = Integer.parseInt(args.getOrDefault("--passes", "1"));
    List<String> fallback = new ArrayList<>();
    List<Double> timings = new ArrayList<>();
    // Earlier passes warm the JIT and caches; the run and the timings are the last pass's.
    for (int pass = 1; pass < passes; pass++) {
      for (String[] q : queries) {
        if (search(searcher, analyzer, fields, boosts, q[1], QueryParser.Operator.AND, depth).length == 0) {
          search(searcher, analyzer, fields, boosts, q[1], QueryParser.Operator.OR, depth);
        }
      }
    }
    try (PrintWriter run = new PrintWriter(Files.newBufferedWriter(Paths.get(args.get("--run")), StandardCharsets.UTF_8))) {
      for (String[] q : queries) {
        long t = System.nanoTime();
        ScoreDoc[] hits = search(searcher, analyzer, fields, boosts, q[1], QueryParser.Operator.AND, depth);
        if (hits.length == 0) {
          fallback.add(q[0]);
          hits = search(searcher, analyzer, fields, boosts, q[1], QueryParser.Operator.OR, depth);
        }
        timings.add((System.nanoTime() - t) / 1e9);
        int rank = 1;
        for (ScoreDoc hit : hits) {
          String id = searcher.storedFields().document(hit.doc).get("id");
          run.printf("%s Q0 %s %d %.6f %s%n", q[0], id, rank++, hit.score, tag);
        }
      }
    }
    if (args.containsKey("--stats")) {
      Map<String, Object> stats = new HashMap<>();
      stats.put("engine", ENGINE);
      stats.put("units", units.size());
      stats.put("index_seconds", indexSeconds);
      stats.put("index_cpu_seconds", indexCpuSeconds);
      stats.put("threads", threads);
      stats.put("query_seconds", timings);
      stats.put("fallback", fallback);
      json.writeValue(Paths.get(args.get("--stats")).toFile(), stats);
    }
  }

  /** CPU time of the whole JVM (all threads) so far, in nanoseconds. */
  static long processCpuNanos() {
    return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
        .getProcessCpuTime();
  }

  static String text(JsonNode u, String field) {
    JsonNode v = u.get(field);
    return v == null || v.isNull() ? "" : v.asText();
  }

  static ScoreDoc[] search(IndexSearcher searcher, GermanAnalyzer analyzer, String[] fields,
      Map<String, Float> boosts, String text, QueryParser.Operator op, int depth) throws Exception {
    MultiFieldQueryParser parser = new MultiFieldQueryParser(fields, analyzer, boosts);
    parser.setDefaultOperator(op);
    Query query;
    try {
      query = parser.parse(escapeKeepingQuotes(text));
    } catch (ParseException e) {
      // Unbalanced quotes or a query of stop words only: search it literally.
      try {
        query = parser.parse(QueryParser.escape(text));
      } catch (ParseException again) {
        return new ScoreDoc[0];
      }
    }
    return searcher.search(query, depth).scoreDocs;
  }

  /** Escape Lucene syntax except double quotes (phrases) and a leading '-' (exclusion). */
  static String escapeKeepingQuotes(String text) {
    StringBuilder out = new StringBuilder();
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      boolean wordStart = i == 0 || Character.isWhitespace(text.charAt(i - 1));
      if (c == '"' || (c == '-' && wordStart)) {
        out.append(c);
      } else if ("\\+-!():^[]{}~*?|&/".indexOf(c) >= 0) {
        out.append('\\').append(c);
      } else {
        out.append(c);
      }
    }
    return out.toString();
  }
}
