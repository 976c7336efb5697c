# Writes a partition's records bytes, exactly as Fetch v4 returns them, using kafka-python's protocol classes.
"""usage: fetch_raw.py HOST:PORT[,...] TOPIC PARTITION OFFSET OUT_FILE

Finds the partition leader with Metadata v0, then sends Fetch v4 requests from OFFSET until the
high watermark is covered, appending each response's records bytes verbatim to OUT_FILE. The
librdkafka mock returns one stored message set per fetch, hence the loop. Run it with Debian's
/usr/bin/python3, which has python3-kafka.
"""
import io
import socket
import struct
import sys

from kafka.protocol.api import RequestHeader
from kafka.protocol.fetch import FetchRequest
from kafka.protocol.metadata import MetadataRequest

MAX_BYTES = 64 << 20


class Connection:
    def __init__(self, host, port):
        self.sock = socket.create_connection((host, port), timeout=30)
        self.correlation_id = 0

    def close(self):
        self.sock.close()

    def _read_exactly(self, size):
        chunks = []
        while size > 0:
            chunk = self.sock.recv(size)
            if not chunk:
                raise RuntimeError('broker closed the connection')
            chunks.append(chunk)
            size -= len(chunk)
        return b''.join(chunks)

    def send(self, request):
        self.correlation_id += 1
        # Encode from named objects: encode() on a temporary fails in kafka-python 2.0.2.
        header = RequestHeader(request, correlation_id=self.correlation_id,
                               client_id='kspout-fetch-raw')
        body = header.encode() + request.encode()
        self.sock.sendall(struct.pack('>i', len(body)) + body)
        (size,) = struct.unpack('>i', self._read_exactly(4))
        payload = self._read_exactly(size)
        (correlation_id,) = struct.unpack('>i', payload[:4])
        if correlation_id != self.correlation_id:
            raise RuntimeError('correlation id %d, expected %d' % (correlation_id, self.correlation_id))
        return request.RESPONSE_TYPE.decode(io.BytesIO(payload[4:]))


def split_address(address):
    host, _, port = address.rpartition(':')
    return host, int(port)


def find_leader(bootstrap, topic, partition):
    conn = Connection(*split_address(bootstrap.split(',')[0]))
    try:
        request = MetadataRequest[0](topics=[topic])
        response = conn.send(request)
    finally:
        conn.close()
    brokers = {node_id: (host, port) for node_id, host, port in response.brokers}
    for error_code, name, partitions in response.topics:
        if name != topic:
            continue
        if error_code != 0:
            raise RuntimeError('metadata error %d for topic %s' % (error_code, topic))
        for _, index, leader, _, _ in partitions:
            if index == partition:
                if leader not in brokers:
                    raise RuntimeError('partition %d has no live leader (%d)' % (partition, leader))
                return brokers[leader]
    raise RuntimeError('no partition %s/%d in metadata' % (topic, partition))


def next_offset_after(records, fallback):
    """The offset after the last complete entry: v2 BaseOffset + LastOffsetDelta + 1, v0/v1 offset + 1."""
    position = 0
    result = fallback
    while position + 17 <= len(records):
        base_offset, size = struct.unpack_from('>qi', records, position)
        end = position + 12 + size
        if size < 5 or end > len(records):
            break
        magic = records[position + 16]
        if magic == 2:
            (last_offset_delta,) = struct.unpack_from('>i', records, position + 23)
            result = base_offset + last_offset_delta + 1
        else:
            result = base_offset + 1
        position = end
    return result


def fetch(leader, topic, partition, offset):
    conn = Connection(*leader)
    blob = bytearray()
    try:
        while True:
            request = FetchRequest[4](
                replica_id=-1, max_wait_time=0, min_bytes=0, max_bytes=MAX_BYTES,
                isolation_level=0, topics=[(topic, [(partition, offset, MAX_BYTES)])])
            response = conn.send(request)
            (_, partitions), = response.topics
            (_, error_code, high_watermark, _, _, records), = partitions
            if error_code != 0:
                raise RuntimeError('fetch error %d at offset %d' % (error_code, offset))
            if offset >= high_watermark:
                return bytes(blob), offset, high_watermark
            if not records:
                raise RuntimeError('no records at offset %d below high watermark %d'
                                   % (offset, high_watermark))
            following = next_offset_after(records, offset)
            if following <= offset:
                raise RuntimeError('records at offset %d do not advance' % offset)
            blob += records
            offset = following
    finally:
        conn.close()


def main(argv):
    if len(argv) != 6:
        sys.stderr.write(__doc__)
        return 2
    bootstrap, topic, partition, offset, out_file = argv[1], argv[2], int(argv[3]), int(argv[4]), argv[5]
    leader = find_leader(bootstrap, topic, partition)
    blob, end, high_watermark = fetch(leader, topic, partition, offset)
    with open(out_file, 'wb') as out:
        out.write(blob)
    print('fetched %d bytes, offsets up to %d, high watermark %d' % (len(blob), end, high_watermark))
    return 0


if __name__ == '__main__':
    sys.exit(main(sys.argv))
