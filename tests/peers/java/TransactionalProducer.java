// A peer for the transaction tests: Kafka's own Java producer writing committed and aborted transactions to one partition.
import java.util.Properties;

import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * usage: TransactionalProducer BOOTSTRAP TOPIC PARTITION PLAN...
 * Each PLAN is one transaction: "c:N" writes N records and commits, "a:N" writes N and aborts.
 * Record n (counted over all transactions) has key "key-n" and value "committed-n" or "aborted-n".
 */
public final class TransactionalProducer {
    public static void main(String[] args) throws Exception {
        Properties p = new Properties();
        p.put("bootstrap.servers", args[0]);
        p.put("transactional.id", "kspout-peer-" + args[1] + "-" + args[2]);
        p.put("key.serializer", StringSerializer.class.getName());
        p.put("value.serializer", StringSerializer.class.getName());
        p.put("acks", "all");
        String topic = args[1];
        int partition = Integer.parseInt(args[2]);
        int n = 0;
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(p)) {
            producer.initTransactions();
            for (int i = 3; i < args.length; ++i) {
                boolean commit = args[i].startsWith("c:");
                int count = Integer.parseInt(args[i].substring(2));
                producer.beginTransaction();
                for (int k = 0; k < count; ++k, ++n) {
                    String value = (commit ? "committed-" : "aborted-") + n;
                    producer.send(new ProducerRecord<>(topic, partition, "key-" + n, value)).get();
                }
                if (commit) {
                    producer.commitTransaction();
                } else {
                    producer.abortTransaction();
                }
            }
        }
        System.out.println("wrote " + n);
    }
}
