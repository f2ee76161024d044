"""CLI: ``python -m groq_emulator --host 127.0.0.1 --port 8765 [--chunk-delay 0.02]``."""

from __future__ import annotations

import argparse

from .server import EmulatorServer


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m groq_emulator", description="Local Groq-wire emulator.")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--chunk-delay", type=float, default=0.02, help="seconds between stream chunks")
    parser.add_argument("--verbose", action="store_true", help="log every HTTP request")
    args = parser.parse_args(argv)
    server = EmulatorServer(
        host=args.host, port=args.port, chunk_delay=args.chunk_delay, verbose=args.verbose
    )
    server.start()
    print(f"Groq emulator listening on {server.base_url} (set GROQ_BASE_URL to this)", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.stop()


if __name__ == "__main__":
    main()
