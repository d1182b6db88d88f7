"""The AWS side of the shop, emulated on a laptop for scripts/dev.

Runs moto's server (S3, SQS, SES) on SHOP_AWS_PORT, creates the imports bucket, the
orders queue with its dead-letter queue and the verified sender, then does what AWS would
do with them, by invoking the functions of serverless.yml through serverless-offline's
Lambda endpoint (SHOP_LAMBDA_PORT), so the code and settings are the deployed ones:

- a new object under imports/*.csv in the bucket -> catalog_import, shaped as an S3 event;
- messages on the orders queue -> order_events in batches of up to 10, deleting the ones
  it did not report as failures (after 3 receives a message moves to the dead-letter queue);
- every SHOP_HOUSEKEEPING_SECONDS (default 60) -> housekeeping;
- every e-mail sent through SES -> printed here and written to .local/mail/.

It stops with its parent (scripts/dev), or on Ctrl-C.
"""

from __future__ import annotations

import json
import logging
import os
import re
import signal
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import quote_plus

import boto3
from botocore.config import Config
from moto.core import DEFAULT_ACCOUNT_ID
from moto.server import ThreadedMotoServer
from moto.ses.models import Message as SesMessage
from moto.ses.models import ses_backends

REGION = os.environ.get("AWS_REGION", "eu-west-1")
# scripts/dev serves serverless.yml's stage `local`, whose params name these resources.
SERVICE, STAGE = "shop-api", "local"
POLL_SECONDS = 0.5


def say(message: str) -> None:
    print(f"[local-cloud] {message}", flush=True)


class LocalCloud:
    def __init__(self) -> None:
        self.aws_port = int(os.environ.get("SHOP_AWS_PORT", "4566"))
        self.lambda_port = int(os.environ.get("SHOP_LAMBDA_PORT", "3002"))
        self.bucket = os.environ.get("IMPORTS_BUCKET") or f"{SERVICE}-{STAGE}-imports"
        self.housekeeping_every = float(os.environ.get("SHOP_HOUSEKEEPING_SECONDS", "60"))
        self.mail_dir = Path(os.environ.get("SHOP_LOCAL_DIR", ".local")) / "mail"
        self.seen_objects: set[tuple[str, str]] = set()
        self.mails_shown = 0
        self.next_housekeeping = time.monotonic() + self.housekeeping_every
        endpoint = f"http://127.0.0.1:{self.aws_port}"
        self.queue_url = f"{endpoint}/{DEFAULT_ACCOUNT_ID}/{SERVICE}-{STAGE}-orders"
        self.s3 = boto3.client("s3", region_name=REGION, endpoint_url=endpoint)
        self.sqs = boto3.client("sqs", region_name=REGION, endpoint_url=endpoint)
        self.ses = boto3.client("ses", region_name=REGION, endpoint_url=endpoint)
        self.functions = boto3.client(
            "lambda",
            region_name=REGION,
            endpoint_url=f"http://127.0.0.1:{self.lambda_port}",
            config=Config(read_timeout=900, retries={"max_attempts": 0}),
        )

    def create_resources(self) -> None:
        self.s3.create_bucket(
            Bucket=self.bucket, CreateBucketConfiguration={"LocationConstraint": REGION}
        )
        queue_name = self.queue_url.rsplit("/", 1)[1]
        dlq_url = self.sqs.create_queue(QueueName=f"{queue_name}-dlq")["QueueUrl"]
        dlq_arn = self.sqs.get_queue_attributes(QueueUrl=dlq_url, AttributeNames=["QueueArn"])[
            "Attributes"
        ]["QueueArn"]
        self.sqs.create_queue(
            QueueName=queue_name,
            Attributes={
                "VisibilityTimeout": "30",
                "RedrivePolicy": json.dumps(
                    {"deadLetterTargetArn": dlq_arn, "maxReceiveCount": "3"}
                ),
            },
        )
        self.ses.verify_email_identity(EmailAddress=os.environ.get("MAIL_FROM", "shop@example.com"))
        say(
            f"S3 bucket {self.bucket}, SQS queue {self.queue_url} (+ dead-letter queue), "
            f"SES sender verified; e-mails go to {self.mail_dir}/"
        )

    def invoke(self, function: str, event: dict) -> dict | None:
        name = f"{SERVICE}-{STAGE}-{function}"
        try:
            reply = self.functions.invoke(FunctionName=name, Payload=json.dumps(event).encode())
        except Exception as error:  # offline not up yet, or restarting: try next round
            say(f"could not invoke {function}: {type(error).__name__}")
            return None
        payload = reply["Payload"].read()
        return json.loads(payload) if payload else None

    def forward_new_uploads(self) -> None:
        listing = self.s3.list_objects_v2(Bucket=self.bucket, Prefix="imports/")
        for item in listing.get("Contents", []):
            identity = (item["Key"], item["ETag"])
            if identity in self.seen_objects or not item["Key"].endswith(".csv"):
                continue
            self.seen_objects.add(identity)
            say(f"new upload {item['Key']}: invoking catalog_import")
            self.invoke("catalog_import", s3_event(self.bucket, item))

    def deliver_order_events(self) -> None:
        reply = self.sqs.receive_message(
            QueueUrl=self.queue_url,
            MaxNumberOfMessages=10,
            AttributeNames=["All"],
            WaitTimeSeconds=0,
        )
        messages = reply.get("Messages", [])
        if not messages:
            return
        answer = self.invoke("order_events", sqs_event(self.queue_url, messages))
        if answer is None:
            return
        failed = {f["itemIdentifier"] for f in answer.get("batchItemFailures", [])}
        for message in messages:
            if message["MessageId"] not in failed:
                self.sqs.delete_message(
                    QueueUrl=self.queue_url, ReceiptHandle=message["ReceiptHandle"]
                )
        say(f"order_events took {len(messages)} message(s), {len(failed)} failed")

    def run_housekeeping(self) -> None:
        if time.monotonic() < self.next_housekeeping:
            return
        self.next_housekeeping = time.monotonic() + self.housekeeping_every
        result = self.invoke(
            "housekeeping", {"source": "aws.events", "detail-type": "Scheduled Event"}
        )
        if result:
            say(f"housekeeping: {result}")

    def show_new_mail(self) -> None:
        sent = ses_backends[DEFAULT_ACCOUNT_ID][REGION].sent_messages
        for message in sent[self.mails_shown :]:
            self.mails_shown += 1
            path = keep_mail(self.mail_dir, message, datetime.now(UTC))
            say(f"e-mail sent ({path}):\n{path.read_text(encoding='utf-8')}")

    def loop(self) -> None:
        while True:
            for step in (
                self.forward_new_uploads,
                self.deliver_order_events,
                self.run_housekeeping,
                self.show_new_mail,
            ):
                try:
                    step()
                except Exception as error:  # keep emulating whatever one step does
                    say(f"{step.__name__} failed: {type(error).__name__}: {error}")
            time.sleep(POLL_SECONDS)


def keep_mail(mail_dir: Path, message: SesMessage, received: datetime) -> Path:
    """Write `message` to a file of its own in `mail_dir`, never over an earlier one.

    Named by the time it was sent and SES's message id: sorted by name, the files are in
    the order they came, across every run of scripts/dev (each counts its mails from 1).
    """
    mail_dir.mkdir(parents=True, exist_ok=True)
    stamp = received.astimezone(UTC).strftime("%Y%m%dT%H%M%S.%fZ")
    message_id = re.sub(r"[^A-Za-z0-9-]", "_", message.id)
    path = mail_dir / f"{stamp}-{message_id}.txt"
    text = (
        f"To: {', '.join(message.destinations['ToAddresses'])}\n"
        f"Subject: {message.subject}\n\n{message.body}"
    )
    with path.open("x", encoding="utf-8") as file:
        file.write(text)
    return path


def s3_event(bucket: str, item: dict) -> dict:
    """An ObjectCreated:Put notification as S3 sends it (keys URL-encoded)."""
    return {
        "Records": [
            {
                "eventVersion": "2.1",
                "eventSource": "aws:s3",
                "awsRegion": REGION,
                "eventTime": datetime.now(UTC)
                .isoformat(timespec="milliseconds")
                .replace("+00:00", "Z"),
                "eventName": "ObjectCreated:Put",
                "s3": {
                    "s3SchemaVersion": "1.0",
                    "configurationId": "local-cloud",
                    "bucket": {"name": bucket, "arn": f"arn:aws:s3:::{bucket}"},
                    "object": {
                        "key": quote_plus(item["Key"], safe="/"),
                        "size": item["Size"],
                        "eTag": item["ETag"].strip('"'),
                        "sequencer": "0",
                    },
                },
            }
        ]
    }


def sqs_event(queue_url: str, messages: list[dict]) -> dict:
    """A batch as Lambda's SQS trigger hands it over."""
    arn = f"arn:aws:sqs:{REGION}:{DEFAULT_ACCOUNT_ID}:{queue_url.rsplit('/', 1)[1]}"
    return {
        "Records": [
            {
                "messageId": m["MessageId"],
                "receiptHandle": m["ReceiptHandle"],
                "body": m["Body"],
                "attributes": m.get("Attributes", {}),
                "messageAttributes": {},
                "md5OfBody": m["MD5OfBody"],
                "eventSource": "aws:sqs",
                "eventSourceARN": arn,
                "awsRegion": REGION,
            }
            for m in messages
        ]
    }


def main() -> None:
    # moto's server logs every request it serves; the polling here would drown the output.
    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    cloud = LocalCloud()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=cloud.aws_port, verbose=False)
    server.start()
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    try:
        cloud.create_resources()
        cloud.loop()
    except KeyboardInterrupt:
        pass
    finally:
        server.stop()


if __name__ == "__main__":
    main()
