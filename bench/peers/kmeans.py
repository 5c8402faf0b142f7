#!/usr/bin/python3
"""Peers of dsml's k-means benchmark: faiss Kmeans and scikit-learn KMeans on
the same points (seeded Gaussian clusters with labels, written by bench_dsml),
k-means++ (faiss: its own random seeding), then Lloyd iterations. scikit-learn
stops as dsml does, when no assignment changes (tol=0) or at the same cap;
faiss has no convergence test and runs the number of iterations dsml needed.

  kmeans.py faiss|sklearn THREADS WORK

Each reports its time, the NMI of its clustering against the labels
(sklearn's normalized_mutual_info_score, the arithmetic normalisation dsml
uses) and its inertia (sum of squared distances of the points to their
centroids, computed here in float64 for every peer alike). k-means is a local
search from a random start, so the results cannot be identical: they agree
when the inertia is within 1% of dsml's and the NMI within 0.05 (on
overlapping clusters two local optima of nearly equal inertia can differ by a
few hundredths of NMI; a broken implementation differs by far more). faiss
subsamples 256 points per centroid by default; here it uses all points, like
the others."""
import sys
import time

import numpy as np

import common


def run_faiss(x, k, iterations, threads):
    import faiss
    faiss.omp_set_num_threads(threads)
    km = faiss.Kmeans(x.shape[1], k, niter=iterations, seed=1, max_points_per_centroid=len(x))
    km.train(x)
    _, assign = km.index.search(x, 1)
    return assign[:, 0], km.centroids, iterations


def run_sklearn(x, k, max_iter, threads):
    from threadpoolctl import threadpool_limits
    from sklearn.cluster import KMeans
    with threadpool_limits(threads):
        km = KMeans(n_clusters=k, init="k-means++", n_init=1, max_iter=max_iter, tol=0, algorithm="lloyd",
                    random_state=1).fit(x)
    return km.labels_, km.cluster_centers_, int(km.n_iter_)


def main():
    if len(sys.argv) != 4 or sys.argv[1] not in ("faiss", "sklearn"):
        raise SystemExit("usage: kmeans.py faiss|sklearn THREADS WORK")
    peer, threads, work = sys.argv[1], int(sys.argv[2]), sys.argv[3]
    ref = common.dsml_result(work)
    x, labels = common.load(work, "x.npy"), common.load(work, "labels.npy")
    from sklearn.metrics import normalized_mutual_info_score
    if peer == "faiss":
        import faiss  # noqa: F401  (loaded before the baseline)
    inputs = common.rss_mib()
    start = time.perf_counter()
    if peer == "faiss":
        assign, centroids, iterations = run_faiss(x, ref["k"], max(ref["iterations"], 1), threads)
    else:
        assign, centroids, iterations = run_sklearn(x, ref["k"], ref["max_iter"], threads)
    elapsed = time.perf_counter() - start
    nmi = float(normalized_mutual_info_score(labels, assign))
    diff = x.astype(np.float64) - np.asarray(centroids, np.float64)[assign]
    inertia = float((diff * diff).sum())
    agree = abs(nmi - ref["nmi"]) <= 0.05 and abs(inertia - ref["inertia"]) <= 0.01 * ref["inertia"]
    common.report({"bench": "kmeans", "peer": peer, "threads": threads, "points": len(x), "dim": x.shape[1],
                   "k": ref["k"], "iterations": iterations, "seconds": round(elapsed, 4),
                   "peak_rss_mib": round(common.peak_rss_mib(), 1), "inputs_mib": round(inputs, 1), "nmi": round(nmi, 6), "inertia": inertia}, agree,
                  f"kmeans k={ref['k']}")


if __name__ == "__main__":
    main()
