"""The reference gRPC health client (grpcio-health-checking from PyPI) against the
library's service: `python grpc_client.py ADDR check SERVICE` prints the status name
(or the error code name); `python grpc_client.py ADDR watch SERVICE N` prints the
first N statuses the Watch stream sends, one per line, flushing each."""

import sys

import grpc
from grpc_health.v1 import health_pb2, health_pb2_grpc


def main() -> None:
    addr, verb, service = sys.argv[1], sys.argv[2], sys.argv[3]
    with grpc.insecure_channel(addr) as channel:
        stub = health_pb2_grpc.HealthStub(channel)
        request = health_pb2.HealthCheckRequest(service=service)
        if verb == "check":
            try:
                response = stub.Check(request, timeout=10)
                print(health_pb2.HealthCheckResponse.ServingStatus.Name(response.status))
            except grpc.RpcError as error:
                print(error.code().name)
        elif verb == "watch":
            wanted = int(sys.argv[4])
            stream = stub.Watch(request, timeout=30)
            for seen, response in enumerate(stream, start=1):
                name = health_pb2.HealthCheckResponse.ServingStatus.Name(response.status)
                print(name, flush=True)
                if seen == wanted:
                    stream.cancel()
                    break
        else:
            raise SystemExit(f"unknown verb {verb!r}")


if __name__ == "__main__":
    main()
