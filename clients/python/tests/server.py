"""The real framewire server (the packaged jar, FRAMEWIRE_JAR or ../../target/framewire.jar) in a
process of its own on a free port, for the contract tests."""
import os
import re
import signal
import subprocess
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
JAR = Path(os.environ.get("FRAMEWIRE_JAR", HERE.parent.parent.parent / "target" / "framewire.jar"))
LISTENING = re.compile(r"framewire listening on \S*?:(\d+)\b")


def java() -> str:
    home = os.environ.get("JAVA_HOME")
    return os.path.join(home, "bin", "java") if home else "java"


class Server:
    def __init__(self, *flags: str, port: int = 0):
        if not JAR.exists():
            raise FileNotFoundError("%s: build it first (mvn -B package -DskipTests at the root)" % JAR)
        self.log = tempfile.NamedTemporaryFile(prefix="framewire-", suffix=".log", delete=False)
        self.proc = subprocess.Popen([java(), "-Xmx256m", "--enable-native-access=ALL-UNNAMED", "-jar", str(JAR),
                                      "--host", "127.0.0.1", "--port", str(port), "--detector", "none",
                                      "--shutdown.graceMs", "1000", *flags],
                                     stdout=self.log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 60
        while True:
            text = Path(self.log.name).read_text(errors="replace")
            m = LISTENING.search(text)
            if m:
                self.port = int(m.group(1))
                break
            if self.proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("the server did not start:\n" + text)
            time.sleep(0.1)
        self.url = "ws://127.0.0.1:%d" % self.port

    def signal(self, sig) -> None:
        self.proc.send_signal(sig)

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGCONT)
            self.proc.terminate()
            try:
                self.proc.wait(15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.log.close()
        os.unlink(self.log.name)
