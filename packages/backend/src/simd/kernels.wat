;; depthblocks' SIMD kernels for the wasm backend: batch norm (training) and the ReLU gradient.
;; They run on the tfjs wasm backend's own memory (imported), on tensors' storage in place; the JS side
;; (simd-kernels.ts) allocates outputs and per-channel scratch with the backend's malloc.
;; Layout: NHWC float32, P pixels of C channels; per-channel sums are float64. Pointers are byte offsets.
;; Compiled by `npm run build:wasm -w @depthblocks/backend` (wabt) into kernels-wasm.ts; the memory import is
;; written twice, shared (threaded tfjs build) and not shared (single-threaded build).
(module
  (import "env" "memory" (memory 1 65536 shared))

  ;; sum[k] += x - shift[k]; sq[k] += (x - shift[k])^2 (float64), over P pixels
  (func (export "bn_stats") (param $x i32) (param $p i32) (param $c i32) (param $shift i32) (param $sum i32) (param $sq i32)
    (local $k i32) (local $c4 i32) (local $d v128) (local $lo v128) (local $hi v128) (local $a i32) (local $dd f64)
    (local.set $c4 (i32.and (local.get $c) (i32.const -4)))
    (block $done (loop $pix
      (br_if $done (i32.eqz (local.get $p)))
      (local.set $k (i32.const 0))
      (block $vdone (loop $vec
        (br_if $vdone (i32.ge_u (local.get $k) (local.get $c4)))
        (local.set $d (f32x4.sub
          (v128.load (i32.add (local.get $x) (i32.shl (local.get $k) (i32.const 2))))
          (v128.load (i32.add (local.get $shift) (i32.shl (local.get $k) (i32.const 2))))))
        (local.set $lo (f64x2.promote_low_f32x4 (local.get $d)))
        (local.set $hi (f64x2.promote_low_f32x4
          (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $d) (local.get $d))))
        (local.set $a (i32.add (local.get $sum) (i32.shl (local.get $k) (i32.const 3))))
        (v128.store (local.get $a) (f64x2.add (v128.load (local.get $a)) (local.get $lo)))
        (v128.store offset=16 (local.get $a) (f64x2.add (v128.load offset=16 (local.get $a)) (local.get $hi)))
        (local.set $a (i32.add (local.get $sq) (i32.shl (local.get $k) (i32.const 3))))
        (v128.store (local.get $a) (f64x2.add (v128.load (local.get $a)) (f64x2.mul (local.get $lo) (local.get $lo))))
        (v128.store offset=16 (local.get $a)
          (f64x2.add (v128.load offset=16 (local.get $a)) (f64x2.mul (local.get $hi) (local.get $hi))))
        (local.set $k (i32.add (local.get $k) (i32.const 4)))
        (br $vec)))
      (block $sdone (loop $sc
        (br_if $sdone (i32.ge_u (local.get $k) (local.get $c)))
        (local.set $dd (f64.promote_f32 (f32.sub
          (f32.load (i32.add (local.get $x) (i32.shl (local.get $k) (i32.const 2))))
          (f32.load (i32.add (local.get $shift) (i32.shl (local.get $k) (i32.const 2)))))))
        (local.set $a (i32.add (local.get $sum) (i32.shl (local.get $k) (i32.const 3))))
        (f64.store (local.get $a) (f64.add (f64.load (local.get $a)) (local.get $dd)))
        (local.set $a (i32.add (local.get $sq) (i32.shl (local.get $k) (i32.const 3))))
        (f64.store (local.get $a) (f64.add (f64.load (local.get $a)) (f64.mul (local.get $dd) (local.get $dd))))
        (local.set $k (i32.add (local.get $k) (i32.const 1)))
        (br $sc)))
      (local.set $x (i32.add (local.get $x) (i32.shl (local.get $c) (i32.const 2))))
      (local.set $p (i32.sub (local.get $p) (i32.const 1)))
      (br $pix))))

  ;; sd[k] += dy; sdx[k] += dy * (x - mean[k]) (float64), over P pixels
  (func (export "bn_grad_sums") (param $dy i32) (param $x i32) (param $p i32) (param $c i32) (param $mean i32) (param $sd i32) (param $sdx i32)
    (local $k i32) (local $c4 i32) (local $g v128) (local $e v128) (local $a i32) (local $off i32) (local $gs f32)
    (local.set $c4 (i32.and (local.get $c) (i32.const -4)))
    (block $done (loop $pix
      (br_if $done (i32.eqz (local.get $p)))
      (local.set $k (i32.const 0))
      (block $vdone (loop $vec
        (br_if $vdone (i32.ge_u (local.get $k) (local.get $c4)))
        (local.set $off (i32.shl (local.get $k) (i32.const 2)))
        (local.set $g (v128.load (i32.add (local.get $dy) (local.get $off))))
        (local.set $e (f32x4.mul (local.get $g) (f32x4.sub
          (v128.load (i32.add (local.get $x) (local.get $off)))
          (v128.load (i32.add (local.get $mean) (local.get $off))))))
        (local.set $a (i32.add (local.get $sd) (i32.shl (local.get $k) (i32.const 3))))
        (v128.store (local.get $a) (f64x2.add (v128.load (local.get $a)) (f64x2.promote_low_f32x4 (local.get $g))))
        (v128.store offset=16 (local.get $a) (f64x2.add (v128.load offset=16 (local.get $a))
          (f64x2.promote_low_f32x4 (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $g) (local.get $g)))))
        (local.set $a (i32.add (local.get $sdx) (i32.shl (local.get $k) (i32.const 3))))
        (v128.store (local.get $a) (f64x2.add (v128.load (local.get $a)) (f64x2.promote_low_f32x4 (local.get $e))))
        (v128.store offset=16 (local.get $a) (f64x2.add (v128.load offset=16 (local.get $a))
          (f64x2.promote_low_f32x4 (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $e) (local.get $e)))))
        (local.set $k (i32.add (local.get $k) (i32.const 4)))
        (br $vec)))
      (block $sdone (loop $sc
        (br_if $sdone (i32.ge_u (local.get $k) (local.get $c)))
        (local.set $off (i32.shl (local.get $k) (i32.const 2)))
        (local.set $gs (f32.load (i32.add (local.get $dy) (local.get $off))))
        (local.set $a (i32.add (local.get $sd) (i32.shl (local.get $k) (i32.const 3))))
        (f64.store (local.get $a) (f64.add (f64.load (local.get $a)) (f64.promote_f32 (local.get $gs))))
        (local.set $a (i32.add (local.get $sdx) (i32.shl (local.get $k) (i32.const 3))))
        (f64.store (local.get $a) (f64.add (f64.load (local.get $a)) (f64.promote_f32 (f32.mul (local.get $gs)
          (f32.sub (f32.load (i32.add (local.get $x) (local.get $off))) (f32.load (i32.add (local.get $mean) (local.get $off))))))))
        (local.set $k (i32.add (local.get $k) (i32.const 1)))
        (br $sc)))
      (local.set $dy (i32.add (local.get $dy) (i32.shl (local.get $c) (i32.const 2))))
      (local.set $x (i32.add (local.get $x) (i32.shl (local.get $c) (i32.const 2))))
      (local.set $p (i32.sub (local.get $p) (i32.const 1)))
      (br $pix))))

  ;; out = a[k] * u + b[k] * v + d[k] over P pixels (v may equal u with b = 0). Batch norm forward:
  ;; y = a * x + d; backward: dx = k1 * dy + k2 * x + k3.
  (func (export "channel_affine2") (param $u i32) (param $v i32) (param $out i32) (param $p i32) (param $c i32) (param $a i32) (param $b i32) (param $d i32)
    (local $k i32) (local $c4 i32) (local $off i32)
    (local.set $c4 (i32.and (local.get $c) (i32.const -4)))
    (block $done (loop $pix
      (br_if $done (i32.eqz (local.get $p)))
      (local.set $k (i32.const 0))
      (block $vdone (loop $vec
        (br_if $vdone (i32.ge_u (local.get $k) (local.get $c4)))
        (local.set $off (i32.shl (local.get $k) (i32.const 2)))
        (v128.store (i32.add (local.get $out) (local.get $off))
          (f32x4.add
            (f32x4.add
              (f32x4.mul (v128.load (i32.add (local.get $a) (local.get $off))) (v128.load (i32.add (local.get $u) (local.get $off))))
              (f32x4.mul (v128.load (i32.add (local.get $b) (local.get $off))) (v128.load (i32.add (local.get $v) (local.get $off)))))
            (v128.load (i32.add (local.get $d) (local.get $off)))))
        (local.set $k (i32.add (local.get $k) (i32.const 4)))
        (br $vec)))
      (block $sdone (loop $sc
        (br_if $sdone (i32.ge_u (local.get $k) (local.get $c)))
        (local.set $off (i32.shl (local.get $k) (i32.const 2)))
        (f32.store (i32.add (local.get $out) (local.get $off))
          (f32.add
            (f32.add
              (f32.mul (f32.load (i32.add (local.get $a) (local.get $off))) (f32.load (i32.add (local.get $u) (local.get $off))))
              (f32.mul (f32.load (i32.add (local.get $b) (local.get $off))) (f32.load (i32.add (local.get $v) (local.get $off)))))
            (f32.load (i32.add (local.get $d) (local.get $off)))))
        (local.set $k (i32.add (local.get $k) (i32.const 1)))
        (br $sc)))
      (local.set $u (i32.add (local.get $u) (i32.shl (local.get $c) (i32.const 2))))
      (local.set $v (i32.add (local.get $v) (i32.shl (local.get $c) (i32.const 2))))
      (local.set $out (i32.add (local.get $out) (i32.shl (local.get $c) (i32.const 2))))
      (local.set $p (i32.sub (local.get $p) (i32.const 1)))
      (br $pix))))

  ;; dx = dy where ref > 0, else alpha * dy (NaN in ref counts as not > 0), over n values: the gradient of ReLU
  ;; (ref = its output, alpha = 0) and of LeakyReLU (ref = its input)
  (func (export "act_grad") (param $dy i32) (param $ref i32) (param $dx i32) (param $n i32) (param $alpha f32)
    (local $i i32) (local $n4 i32) (local $off i32) (local $g v128) (local $gs f32)
    (local.set $n4 (i32.and (local.get $n) (i32.const -4)))
    (block $vdone (loop $vec
      (br_if $vdone (i32.ge_u (local.get $i) (local.get $n4)))
      (local.set $off (i32.shl (local.get $i) (i32.const 2)))
      (local.set $g (v128.load (i32.add (local.get $dy) (local.get $off))))
      (v128.store (i32.add (local.get $dx) (local.get $off))
        (v128.bitselect (local.get $g) (f32x4.mul (local.get $g) (f32x4.splat (local.get $alpha)))
          (f32x4.gt (v128.load (i32.add (local.get $ref) (local.get $off))) (v128.const f32x4 0 0 0 0))))
      (local.set $i (i32.add (local.get $i) (i32.const 4)))
      (br $vec)))
    (block $sdone (loop $sc
      (br_if $sdone (i32.ge_u (local.get $i) (local.get $n)))
      (local.set $off (i32.shl (local.get $i) (i32.const 2)))
      (local.set $gs (f32.load (i32.add (local.get $dy) (local.get $off))))
      (f32.store (i32.add (local.get $dx) (local.get $off))
        (select (local.get $gs) (f32.mul (local.get $gs) (local.get $alpha))
          (f32.gt (f32.load (i32.add (local.get $ref) (local.get $off))) (f32.const 0))))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br $sc))))

  ;; col2im for rows [r0, r0 + rows) of a KHxKW convolution's patch matrix cols [rows, KH*KW*C] (row r's tap
  ;; (i, j) at ((r - r0) * KH*KW + i*KW + j) * C): adds each tap's C values into out [N, H, W, C] at the input
  ;; pixel the tap reads, skipping taps in the padding.
  (func (export "col2im") (param $cols i32) (param $out i32) (param $r0 i32) (param $rows i32)
      (param $h i32) (param $w i32) (param $c i32) (param $oh i32) (param $ow i32)
      (param $kh i32) (param $kw i32) (param $sh i32) (param $sw i32) (param $top i32) (param $left i32)
      (local $r i32) (local $row i32) (local $b i32) (local $oy i32) (local $ox i32) (local $i i32) (local $j i32)
      (local $y i32) (local $x i32) (local $src i32) (local $dst i32) (local $q i32) (local $c4 i32)
      (local.set $c4 (i32.and (local.get $c) (i32.const -4)))
      (local.set $src (local.get $cols))
      (block $rdone (loop $rl
        (br_if $rdone (i32.ge_u (local.get $r) (local.get $rows)))
        (local.set $row (i32.add (local.get $r0) (local.get $r)))
        (local.set $ox (i32.rem_u (local.get $row) (local.get $ow)))
        (local.set $oy (i32.rem_u (i32.div_u (local.get $row) (local.get $ow)) (local.get $oh)))
        (local.set $b (i32.div_u (local.get $row) (i32.mul (local.get $oh) (local.get $ow))))
        (local.set $i (i32.const 0))
        (block $idone (loop $il
          (br_if $idone (i32.ge_s (local.get $i) (local.get $kh)))
          (local.set $y (i32.add (i32.sub (i32.mul (local.get $oy) (local.get $sh)) (local.get $top)) (local.get $i)))
          (local.set $j (i32.const 0))
          (block $jdone (loop $jl
            (br_if $jdone (i32.ge_s (local.get $j) (local.get $kw)))
            (local.set $x (i32.add (i32.sub (i32.mul (local.get $ox) (local.get $sw)) (local.get $left)) (local.get $j)))
            (if (i32.and
                  (i32.and (i32.ge_s (local.get $y) (i32.const 0)) (i32.lt_s (local.get $y) (local.get $h)))
                  (i32.and (i32.ge_s (local.get $x) (i32.const 0)) (i32.lt_s (local.get $x) (local.get $w))))
              (then
                (local.set $dst (i32.add (local.get $out) (i32.shl (i32.mul (i32.add (i32.mul (i32.add
                  (i32.mul (local.get $b) (local.get $h)) (local.get $y)) (local.get $w)) (local.get $x)) (local.get $c)) (i32.const 2))))
                (local.set $q (i32.const 0))
                (block $vdone (loop $vl
                  (br_if $vdone (i32.ge_u (local.get $q) (local.get $c4)))
                  (v128.store (i32.add (local.get $dst) (i32.shl (local.get $q) (i32.const 2)))
                    (f32x4.add (v128.load (i32.add (local.get $dst) (i32.shl (local.get $q) (i32.const 2))))
                               (v128.load (i32.add (local.get $src) (i32.shl (local.get $q) (i32.const 2))))))
                  (local.set $q (i32.add (local.get $q) (i32.const 4)))
                  (br $vl)))
                (block $sdone (loop $sl
                  (br_if $sdone (i32.ge_u (local.get $q) (local.get $c)))
                  (f32.store (i32.add (local.get $dst) (i32.shl (local.get $q) (i32.const 2)))
                    (f32.add (f32.load (i32.add (local.get $dst) (i32.shl (local.get $q) (i32.const 2))))
                             (f32.load (i32.add (local.get $src) (i32.shl (local.get $q) (i32.const 2))))))
                  (local.set $q (i32.add (local.get $q) (i32.const 1)))
                  (br $sl)))))
            (local.set $src (i32.add (local.get $src) (i32.shl (local.get $c) (i32.const 2))))
            (local.set $j (i32.add (local.get $j) (i32.const 1)))
            (br $jl)))
          (local.set $i (i32.add (local.get $i) (i32.const 1)))
          (br $il)))
        (local.set $r (i32.add (local.get $r) (i32.const 1)))
        (br $rl))))
  
  ;; Adam / AdamW over n values: g' = g + l2 * w; m' = b1 m + (1 - b1) g'; v' = b2 v + (1 - b2) g'^2;
  ;; out = w * shrink - lrc * m' / (sqrt(v' * ic2) + eps), with lrc = lr / (1 - b1^t), ic2 = 1 / (1 - b2^t).
  ;; m' and v' go to mOut and vOut (which may be m and v).
  (func (export "adam") (param $w i32) (param $g i32) (param $m i32) (param $v i32)
      (param $mOut i32) (param $vOut i32) (param $out i32) (param $n i32)
      (param $b1 f32) (param $b2 f32) (param $lrc f32) (param $ic2 f32) (param $eps f32) (param $l2 f32) (param $shrink f32)
      (local $i i32) (local $n4 i32) (local $o i32) (local $gv v128) (local $mv v128) (local $vv v128) (local $wv v128)
      (local $gs f32) (local $ms f32) (local $vs f32) (local $ws f32)
      (local.set $n4 (i32.and (local.get $n) (i32.const -4)))
      (block $vdone (loop $vl
        (br_if $vdone (i32.ge_u (local.get $i) (local.get $n4)))
        (local.set $o (i32.shl (local.get $i) (i32.const 2)))
        (local.set $wv (v128.load (i32.add (local.get $w) (local.get $o))))
        (local.set $gv (f32x4.add (v128.load (i32.add (local.get $g) (local.get $o)))
          (f32x4.mul (f32x4.splat (local.get $l2)) (local.get $wv))))
        (local.set $mv (f32x4.add (f32x4.mul (f32x4.splat (local.get $b1)) (v128.load (i32.add (local.get $m) (local.get $o))))
          (f32x4.mul (f32x4.splat (f32.sub (f32.const 1) (local.get $b1))) (local.get $gv))))
        (local.set $vv (f32x4.add (f32x4.mul (f32x4.splat (local.get $b2)) (v128.load (i32.add (local.get $v) (local.get $o))))
          (f32x4.mul (f32x4.splat (f32.sub (f32.const 1) (local.get $b2))) (f32x4.mul (local.get $gv) (local.get $gv)))))
        (v128.store (i32.add (local.get $mOut) (local.get $o)) (local.get $mv))
        (v128.store (i32.add (local.get $vOut) (local.get $o)) (local.get $vv))
        (v128.store (i32.add (local.get $out) (local.get $o))
          (f32x4.sub (f32x4.mul (local.get $wv) (f32x4.splat (local.get $shrink)))
            (f32x4.div (f32x4.mul (f32x4.splat (local.get $lrc)) (local.get $mv))
              (f32x4.add (f32x4.sqrt (f32x4.mul (local.get $vv) (f32x4.splat (local.get $ic2)))) (f32x4.splat (local.get $eps))))))
        (local.set $i (i32.add (local.get $i) (i32.const 4)))
        (br $vl)))
      (block $sdone (loop $sl
        (br_if $sdone (i32.ge_u (local.get $i) (local.get $n)))
        (local.set $o (i32.shl (local.get $i) (i32.const 2)))
        (local.set $ws (f32.load (i32.add (local.get $w) (local.get $o))))
        (local.set $gs (f32.add (f32.load (i32.add (local.get $g) (local.get $o))) (f32.mul (local.get $l2) (local.get $ws))))
        (local.set $ms (f32.add (f32.mul (local.get $b1) (f32.load (i32.add (local.get $m) (local.get $o))))
          (f32.mul (f32.sub (f32.const 1) (local.get $b1)) (local.get $gs))))
        (local.set $vs (f32.add (f32.mul (local.get $b2) (f32.load (i32.add (local.get $v) (local.get $o))))
          (f32.mul (f32.sub (f32.const 1) (local.get $b2)) (f32.mul (local.get $gs) (local.get $gs)))))
        (f32.store (i32.add (local.get $mOut) (local.get $o)) (local.get $ms))
        (f32.store (i32.add (local.get $vOut) (local.get $o)) (local.get $vs))
        (f32.store (i32.add (local.get $out) (local.get $o))
          (f32.sub (f32.mul (local.get $ws) (local.get $shrink))
            (f32.div (f32.mul (local.get $lrc) (local.get $ms))
              (f32.add (f32.sqrt (f32.mul (local.get $vs) (local.get $ic2))) (local.get $eps)))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $sl))))
  
  ;; p rows of `bytes` bytes each: dst + r * dstStride <- src + r * srcStride (a split or concat on the last axis)
  (func (export "copy_rows") (param $src i32) (param $dst i32) (param $p i32) (param $srcStride i32) (param $dstStride i32) (param $bytes i32)
      (block $done (loop $l
        (br_if $done (i32.eqz (local.get $p)))
        (memory.copy (local.get $dst) (local.get $src) (local.get $bytes))
        (local.set $src (i32.add (local.get $src) (local.get $srcStride)))
        (local.set $dst (i32.add (local.get $dst) (local.get $dstStride)))
        (local.set $p (i32.sub (local.get $p) (i32.const 1)))
        (br $l))))
  
  ;; the gradient of a bilinear resize: out [N, IH, IW, C] (zeroed) += dy [N, OH, OW, C] scattered with the forward
  ;; pass's weights. rows: per output row {i32 top, i32 bottom, f32 fy}; cols: per output column {i32 left, i32
  ;; right, f32 fx} (12 bytes each, computed in JS with the forward kernel's sampling).
  (func (export "resize_bilinear_grad") (param $dy i32) (param $out i32) (param $n i32) (param $oh i32) (param $ow i32)
      (param $ih i32) (param $iw i32) (param $c i32) (param $rows i32) (param $cols i32)
      (local $b i32) (local $y i32) (local $x i32) (local $q i32) (local $c4 i32) (local $rt i32) (local $ct i32)
      (local $fy f32) (local $fx f32) (local $w00 f32) (local $w01 f32) (local $w10 f32) (local $w11 f32)
      (local $p00 i32) (local $p01 i32) (local $p10 i32) (local $p11 i32) (local $img i32) (local $g v128) (local $gs f32)
      (local $top i32) (local $bot i32) (local $o i32)
      (local.set $c4 (i32.and (local.get $c) (i32.const -4)))
      (block $bdone (loop $bl
        (br_if $bdone (i32.ge_u (local.get $b) (local.get $n)))
        (local.set $img (i32.mul (local.get $b) (i32.mul (local.get $ih) (local.get $iw))))
        (local.set $y (i32.const 0))
        (block $ydone (loop $yl
          (br_if $ydone (i32.ge_u (local.get $y) (local.get $oh)))
          (local.set $rt (i32.add (local.get $rows) (i32.mul (local.get $y) (i32.const 12))))
          (local.set $top (i32.add (local.get $img) (i32.mul (i32.load (local.get $rt)) (local.get $iw))))
          (local.set $bot (i32.add (local.get $img) (i32.mul (i32.load offset=4 (local.get $rt)) (local.get $iw))))
          (local.set $fy (f32.load offset=8 (local.get $rt)))
          (local.set $x (i32.const 0))
          (block $xdone (loop $xl
            (br_if $xdone (i32.ge_u (local.get $x) (local.get $ow)))
            (local.set $ct (i32.add (local.get $cols) (i32.mul (local.get $x) (i32.const 12))))
            (local.set $fx (f32.load offset=8 (local.get $ct)))
            (local.set $w00 (f32.mul (f32.sub (f32.const 1) (local.get $fy)) (f32.sub (f32.const 1) (local.get $fx))))
            (local.set $w01 (f32.mul (f32.sub (f32.const 1) (local.get $fy)) (local.get $fx)))
            (local.set $w10 (f32.mul (local.get $fy) (f32.sub (f32.const 1) (local.get $fx))))
            (local.set $w11 (f32.mul (local.get $fy) (local.get $fx)))
            ;; byte offsets of the four input pixels
            (local.set $p00 (i32.add (local.get $out) (i32.shl (i32.mul (i32.add (local.get $top) (i32.load (local.get $ct))) (local.get $c)) (i32.const 2))))
            (local.set $p01 (i32.add (local.get $out) (i32.shl (i32.mul (i32.add (local.get $top) (i32.load offset=4 (local.get $ct))) (local.get $c)) (i32.const 2))))
            (local.set $p10 (i32.add (local.get $out) (i32.shl (i32.mul (i32.add (local.get $bot) (i32.load (local.get $ct))) (local.get $c)) (i32.const 2))))
            (local.set $p11 (i32.add (local.get $out) (i32.shl (i32.mul (i32.add (local.get $bot) (i32.load offset=4 (local.get $ct))) (local.get $c)) (i32.const 2))))
            (local.set $q (i32.const 0))
            (block $vdone (loop $vl
              (br_if $vdone (i32.ge_u (local.get $q) (local.get $c4)))
              (local.set $o (i32.shl (local.get $q) (i32.const 2)))
              (local.set $g (v128.load (i32.add (local.get $dy) (local.get $o))))
              (v128.store (i32.add (local.get $p00) (local.get $o)) (f32x4.add (v128.load (i32.add (local.get $p00) (local.get $o))) (f32x4.mul (local.get $g) (f32x4.splat (local.get $w00)))))
              (v128.store (i32.add (local.get $p01) (local.get $o)) (f32x4.add (v128.load (i32.add (local.get $p01) (local.get $o))) (f32x4.mul (local.get $g) (f32x4.splat (local.get $w01)))))
              (v128.store (i32.add (local.get $p10) (local.get $o)) (f32x4.add (v128.load (i32.add (local.get $p10) (local.get $o))) (f32x4.mul (local.get $g) (f32x4.splat (local.get $w10)))))
              (v128.store (i32.add (local.get $p11) (local.get $o)) (f32x4.add (v128.load (i32.add (local.get $p11) (local.get $o))) (f32x4.mul (local.get $g) (f32x4.splat (local.get $w11)))))
              (local.set $q (i32.add (local.get $q) (i32.const 4)))
              (br $vl)))
            (block $sdone (loop $sl
              (br_if $sdone (i32.ge_u (local.get $q) (local.get $c)))
              (local.set $o (i32.shl (local.get $q) (i32.const 2)))
              (local.set $gs (f32.load (i32.add (local.get $dy) (local.get $o))))
              (f32.store (i32.add (local.get $p00) (local.get $o)) (f32.add (f32.load (i32.add (local.get $p00) (local.get $o))) (f32.mul (local.get $gs) (local.get $w00))))
              (f32.store (i32.add (local.get $p01) (local.get $o)) (f32.add (f32.load (i32.add (local.get $p01) (local.get $o))) (f32.mul (local.get $gs) (local.get $w01))))
              (f32.store (i32.add (local.get $p10) (local.get $o)) (f32.add (f32.load (i32.add (local.get $p10) (local.get $o))) (f32.mul (local.get $gs) (local.get $w10))))
              (f32.store (i32.add (local.get $p11) (local.get $o)) (f32.add (f32.load (i32.add (local.get $p11) (local.get $o))) (f32.mul (local.get $gs) (local.get $w11))))
              (local.set $q (i32.add (local.get $q) (i32.const 1)))
              (br $sl)))
            (local.set $dy (i32.add (local.get $dy) (i32.shl (local.get $c) (i32.const 2))))
            (local.set $x (i32.add (local.get $x) (i32.const 1)))
            (br $xl)))
          (local.set $y (i32.add (local.get $y) (i32.const 1)))
          (br $yl)))
        (local.set $b (i32.add (local.get $b) (i32.const 1)))
        (br $bl))))
  
  ;; the filter gradient of a depthwise convolution with channel multiplier 1: out [KH*KW, C] (zeroed) +=
  ;; x (padded, NHWC [N, HP, WP, C]) at each tap's pixels times dy [N, OH, OW, C], channel by channel
  (func (export "depthwise_filter_grad") (param $x i32) (param $dy i32) (param $out i32) (param $n i32) (param $hp i32) (param $wp i32)
      (param $c i32) (param $oh i32) (param $ow i32) (param $kh i32) (param $kw i32) (param $sh i32) (param $sw i32) (param $dh i32) (param $dw i32)
      (local $i i32) (local $j i32) (local $b i32) (local $oy i32) (local $ox i32) (local $q i32) (local $c4 i32)
      (local $acc i32) (local $src i32) (local $g i32) (local $o i32)
      (local.set $c4 (i32.and (local.get $c) (i32.const -4)))
      (block $idone (loop $il
        (br_if $idone (i32.ge_u (local.get $i) (local.get $kh)))
        (local.set $j (i32.const 0))
        (block $jdone (loop $jl
          (br_if $jdone (i32.ge_u (local.get $j) (local.get $kw)))
          (local.set $acc (i32.add (local.get $out) (i32.shl (i32.mul (i32.add (i32.mul (local.get $i) (local.get $kw)) (local.get $j)) (local.get $c)) (i32.const 2))))
          (local.set $g (local.get $dy))
          (local.set $b (i32.const 0))
          (block $bdone (loop $bl
            (br_if $bdone (i32.ge_u (local.get $b) (local.get $n)))
            (local.set $oy (i32.const 0))
            (block $ydone (loop $yl
              (br_if $ydone (i32.ge_u (local.get $oy) (local.get $oh)))
              (local.set $ox (i32.const 0))
              (block $xdone (loop $xl
                (br_if $xdone (i32.ge_u (local.get $ox) (local.get $ow)))
                ;; src = x + ((b * HP + oy * sh + i * dh) * WP + ox * sw + j * dw) * C * 4
                (local.set $src (i32.add (local.get $x) (i32.shl (i32.mul (i32.add (i32.mul (i32.add (i32.mul (local.get $b) (local.get $hp))
                  (i32.add (i32.mul (local.get $oy) (local.get $sh)) (i32.mul (local.get $i) (local.get $dh)))) (local.get $wp))
                  (i32.add (i32.mul (local.get $ox) (local.get $sw)) (i32.mul (local.get $j) (local.get $dw)))) (local.get $c)) (i32.const 2))))
                (local.set $q (i32.const 0))
                (block $vdone (loop $vl
                  (br_if $vdone (i32.ge_u (local.get $q) (local.get $c4)))
                  (local.set $o (i32.shl (local.get $q) (i32.const 2)))
                  (v128.store (i32.add (local.get $acc) (local.get $o))
                    (f32x4.add (v128.load (i32.add (local.get $acc) (local.get $o)))
                      (f32x4.mul (v128.load (i32.add (local.get $src) (local.get $o))) (v128.load (i32.add (local.get $g) (local.get $o))))))
                  (local.set $q (i32.add (local.get $q) (i32.const 4)))
                  (br $vl)))
                (block $sdone (loop $sl
                  (br_if $sdone (i32.ge_u (local.get $q) (local.get $c)))
                  (local.set $o (i32.shl (local.get $q) (i32.const 2)))
                  (f32.store (i32.add (local.get $acc) (local.get $o))
                    (f32.add (f32.load (i32.add (local.get $acc) (local.get $o)))
                      (f32.mul (f32.load (i32.add (local.get $src) (local.get $o))) (f32.load (i32.add (local.get $g) (local.get $o))))))
                  (local.set $q (i32.add (local.get $q) (i32.const 1)))
                  (br $sl)))
                (local.set $g (i32.add (local.get $g) (i32.shl (local.get $c) (i32.const 2))))
                (local.set $ox (i32.add (local.get $ox) (i32.const 1)))
                (br $xl)))
              (local.set $oy (i32.add (local.get $oy) (i32.const 1)))
              (br $yl)))
            (local.set $b (i32.add (local.get $b) (i32.const 1)))
            (br $bl)))
          (local.set $j (i32.add (local.get $j) (i32.const 1)))
          (br $jl)))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $il))))
  )
