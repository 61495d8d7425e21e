"""The realtime gateway: `/v1/play` websockets (protocol in docs/asyncapi.yaml)."""
