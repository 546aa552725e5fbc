#!/bin/sh
# Regenerates every bundled sequence model (about 4½ minutes on 2 CPU cores).
# Usage: models/seq/regenerate.sh [path/to/facecam]   (default: target/release/facecam)
set -eu
bin=${1:-target/release/facecam}
out=models/seq
"$bin" seq train order --cell rnn --level moderate --steps 3000 --seed 1 --out $out/order-moderate-rnn.bpk
"$bin" seq train order --cell lstm --level moderate --steps 3000 --seed 1 --out $out/order-moderate-lstm.bpk
"$bin" seq train order --cell gru --level moderate --steps 3000 --seed 1 --out $out/order-moderate-gru.bpk
"$bin" seq train order --cell lstm --level hard --hidden 32 --steps 9000 --lr 5e-3 --curriculum --seed 3 --out $out/order-hard-lstm.bpk
"$bin" seq train echo --cell rnn --delay 3 --chunk 20 --seed 1 --out $out/echo-rnn.bpk
"$bin" seq train echo --cell lstm --delay 3 --chunk 20 --seed 1 --out $out/echo-lstm.bpk
"$bin" seq train seq2seq --seed 1 --out $out/seq2seq-attention.bpk
"$bin" seq train seq2seq --no-attention --seed 1 --out $out/seq2seq-plain.bpk
"$bin" seq train memnet --task 1 --seed 1 --out $out/memnet-single.bpk
"$bin" seq train memnet --task 2 --seed 1 --out $out/memnet-two.bpk
