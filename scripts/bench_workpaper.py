"""The work-paper part of `make bench` (issue 15): one agency's 29-standard work paper out
and back (upload and compare) under 1 s each, and the ZIP of 50 work papers under 10 s."""

import io
import statistics
import time

ONE_TARGET_S = 1.0
ZIP_TARGET_S = 10.0


def _median(fn, runs=5):
    fn()
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - started)
    return statistics.median(samples)


def run(auditor, manager) -> bool:
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.test import Client

    client = Client()
    client.force_login(manager)
    url = "/cycles/2023/agencies/004/"
    content = client.get(url + "workpaper.xlsx").content

    def download():
        assert client.get(url + "workpaper.xlsx").status_code == 200

    def upload():
        paper = SimpleUploadedFile("底稿.xlsx", content)
        response = client.post(url + "workpaper/", {"workpaper": paper})
        assert response.status_code == 200, response.status_code

    def bundle():
        response = client.get("/cycles/2023/workpapers.zip")
        assert response.status_code == 200
        io.BytesIO(response.content)

    out_s, back_s, zip_s = _median(download), _median(upload), _median(bundle, runs=3)
    ok = out_s <= ONE_TARGET_S and back_s <= ONE_TARGET_S and zip_s <= ZIP_TARGET_S
    print("\nWork papers (median; the 2023 cycle of 50 agencies, whatever BENCH_AGENCIES is)")
    for name, seconds, target in (
        ("one out (29 standards)", out_s, ONE_TARGET_S),
        ("one back (compare)", back_s, ONE_TARGET_S),
        ("ZIP of 50", zip_s, ZIP_TARGET_S),
    ):
        verdict = "ok" if seconds <= target else "SLOW"
        print(f"{name:<24}{seconds:>8.2f} s   target ≤ {target} s  {verdict}")
    return ok
