#!/usr/bin/env python3
"""Read AnomalyAlert records from the alerts topic in any of the job's output formats; print one JSON line per alert.

Only committed alerts are read (isolation.level=read_committed: the job writes them in Kafka transactions).
  --format avro           Avro single-object encoding; needs python3-avro
  --format registry-avro  schema-registry framing via confluent_kafka's Avro deserializer; needs --registry
  --format json           plain JSON objects
Stops after --max alerts, or when none arrived for --idle seconds.
"""
import argparse
import datetime
import io
import json
import os
import sys
import uuid

from confluent_kafka import Consumer

HERE = os.path.dirname(os.path.abspath(__file__))
DEFAULT_SCHEMA = os.path.join(HERE, "..", "..", "..", "..", "schemas", "src", "main", "avro", "AnomalyAlert.avsc")


def plain(v):
    if isinstance(v, datetime.datetime):
        return v.astimezone(datetime.timezone.utc).isoformat().replace("+00:00", "Z")
    if isinstance(v, dict):
        return {k: plain(x) for k, x in v.items()}
    if isinstance(v, list):
        return [plain(x) for x in v]
    return v


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--bootstrap-server", default="localhost:9092")
    ap.add_argument("--topic", default="anomaly-alerts")
    ap.add_argument("--format", choices=["avro", "registry-avro", "json"], default="avro")
    ap.add_argument("--registry")
    ap.add_argument("--schema", default=DEFAULT_SCHEMA)
    ap.add_argument("--max", type=int, default=0, help="stop after this many alerts (0: until idle)")
    ap.add_argument("--idle", type=float, default=10.0)
    args = ap.parse_args()

    conf = {"bootstrap.servers": args.bootstrap_server, "group.id": "alerts-reader-" + uuid.uuid4().hex[:8],
            "auto.offset.reset": "earliest", "isolation.level": "read_committed", "enable.auto.commit": False}
    if args.format == "registry-avro":
        if not args.registry:
            sys.exit("--registry is required for --format registry-avro")
        from confluent_kafka.avro import CachedSchemaRegistryClient
        from confluent_kafka.avro.serializer.message_serializer import MessageSerializer
        # Decodes each value with the writer schema the registry holds for its id (keys are plain UTF-8 device ids).
        serializer = MessageSerializer(CachedSchemaRegistryClient({"url": args.registry}))
        consumer = Consumer(conf)
        decode = serializer.decode_message
    elif args.format == "avro":
        import avro.io
        import avro.schema
        with open(args.schema) as f:
            schema = avro.schema.parse(f.read())
        reader = avro.io.DatumReader(schema)

        def decode(value):
            if value[:2] != b"\xc3\x01":
                raise ValueError("not Avro single-object encoding")
            return reader.read(avro.io.BinaryDecoder(io.BytesIO(value[10:])))
        consumer = Consumer(conf)
    else:
        consumer = Consumer(conf)
        decode = lambda value: json.loads(value)

    consumer.subscribe([args.topic])
    seen = 0
    try:
        while args.max == 0 or seen < args.max:
            msg = consumer.poll(args.idle)
            if msg is None:
                break
            if msg.error():
                sys.exit("consumer error: %s" % msg.error())
            print(json.dumps(plain(decode(msg.value())), sort_keys=True), flush=True)
            seen += 1
    finally:
        consumer.close()
    print("read %d alerts" % seen, file=sys.stderr)


if __name__ == "__main__":
    main()
