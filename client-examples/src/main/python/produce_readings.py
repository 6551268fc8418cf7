#!/usr/bin/env python3
"""Produce SensorReading records to Kafka in any of the job's input formats.

Reads one JSON reading per line on stdin, e.g.
  {"deviceId": "pump-1", "eventTime": "2026-12-01T08:00:00Z", "measurements": {"flow": 1.2, "pressure": null}}
and sends it keyed by deviceId, encoded as --format:
  avro           Avro single-object encoding (C3 01, 8-byte CRC-64-AVRO fingerprint, body); no registry
  registry-avro  schema-registry framing via confluent_kafka's Avro serializer; needs --registry
  json           the JSON object as it is (eventTime as ISO-8601 or epoch milliseconds)

Needs python3-confluent-kafka (and python3-avro for the Avro formats): apt-get install python3-confluent-kafka python3-avro
"""
import argparse
import datetime
import io
import json
import os
import sys
import time

from confluent_kafka import Producer

HERE = os.path.dirname(os.path.abspath(__file__))
DEFAULT_SCHEMA = os.path.join(HERE, "..", "..", "..", "..", "schemas", "src", "main", "avro", "SensorReading.avsc")


def crc64_avro(data: bytes) -> int:
    """The Avro specification's CRC-64-AVRO (Rabin) fingerprint."""
    empty = 0xC15D213AA4D7A795
    table = []
    for i in range(256):
        fp = i
        for _ in range(8):
            fp = (fp >> 1) ^ (empty & -(fp & 1))
        table.append(fp)
    fp = empty
    for b in data:
        fp = (fp >> 8) ^ table[(fp ^ b) & 0xFF]
    return fp


def event_time_as(schema):
    """How the writer schema's eventTime takes its value: a datetime for timestamp-millis, else as given."""
    field = schema.fields_dict.get("eventTime")
    if field is not None and getattr(field.type, "props", {}).get("logicalType") == "timestamp-millis":
        return as_datetime
    return lambda t: t


def live(readings, interval):
    """The readings one by one, `interval` seconds apart, each with eventTime = now (epoch milliseconds)."""
    for i, r in enumerate(readings):
        if i:
            time.sleep(interval)
        yield dict(r, eventTime=int(time.time() * 1000))


def with_defaults(schema, record):
    """The avro library does not fill defaults when writing: absent fields take the schema's default (labels: {})."""
    out = dict(record)
    for f in schema.fields:
        if f.name not in out and f.has_default:
            out[f.name] = f.default
    return out


def as_datetime(t):
    if isinstance(t, (int, float)):
        return datetime.datetime.fromtimestamp(t / 1000.0, tz=datetime.timezone.utc)
    return datetime.datetime.fromisoformat(t.replace("Z", "+00:00"))


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--bootstrap-server", default="localhost:9092")
    ap.add_argument("--topic", default="sensor-readings")
    ap.add_argument("--format", choices=["avro", "registry-avro", "json"], default="avro")
    ap.add_argument("--registry", help="schema registry URL (registry-avro), e.g. http://localhost:8080/apis/ccompat/v7")
    ap.add_argument("--schema", default=DEFAULT_SCHEMA, help="the writer schema (.avsc); default: the contract's")
    ap.add_argument("--interval", type=float, default=0.0,
                    help="seconds between readings, each stamped with the wall clock as it is sent (a live gateway); "
                         "0: send at once with the eventTime of each line")
    args = ap.parse_args()

    readings = [json.loads(line) for line in sys.stdin if line.strip()]
    sent = len(readings)
    if args.interval > 0:
        readings = live(readings, args.interval)
    conf = {"bootstrap.servers": args.bootstrap_server, "enable.idempotence": True}

    if args.format == "registry-avro":
        if not args.registry:
            sys.exit("--registry is required for --format registry-avro")
        from confluent_kafka import avro as cavro
        from confluent_kafka.avro.serializer.message_serializer import MessageSerializer
        schema = cavro.load(args.schema)
        # Registers the schema under <topic>-value (or finds it) and frames each value: byte 0, schema id, Avro body.
        serializer = MessageSerializer(cavro.CachedSchemaRegistryClient({"url": args.registry}))
        producer = Producer(conf)
        event_time = event_time_as(schema)
        for r in readings:
            r = with_defaults(schema, dict(r, eventTime=event_time(r["eventTime"])))
            value = serializer.encode_record_with_schema(args.topic, schema, r)
            producer.produce(args.topic, key=r["deviceId"].encode("utf-8"), value=value)
            producer.poll(0)
    elif args.format == "avro":
        import avro.io
        import avro.schema
        with open(args.schema) as f:
            schema = avro.schema.parse(f.read())
        header = b"\xc3\x01" + crc64_avro(schema.canonical_form.encode("utf-8")).to_bytes(8, "little")
        writer = avro.io.DatumWriter(schema)
        producer = Producer(conf)
        event_time = event_time_as(schema)
        for r in readings:
            r = with_defaults(schema, dict(r, eventTime=event_time(r["eventTime"])))
            buf = io.BytesIO()
            writer.write(r, avro.io.BinaryEncoder(buf))
            producer.produce(args.topic, key=r["deviceId"].encode("utf-8"), value=header + buf.getvalue())
            producer.poll(0)
    else:
        producer = Producer(conf)
        for r in readings:
            producer.produce(args.topic, key=r["deviceId"].encode("utf-8"), value=json.dumps(r).encode("utf-8"))
            producer.poll(0)

    left = producer.flush(30)
    if left:
        sys.exit("%d records not delivered" % left)
    print("produced %d readings to %s as %s" % (sent, args.topic, args.format))


if __name__ == "__main__":
    main()
