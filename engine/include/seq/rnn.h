/* seq/rnn.h — fused recurrent layers over a whole sequence: one layer, one
 * direction, Elman RNN (tanh or relu), LSTM and GRU, forward and backward,
 * float32 and float64, recorded as one autograd node per call.
 *
 * Layouts are PyTorch's, so weights load from a PyTorch state_dict as is:
 *   x       (T, N, D)   time-major input
 *   h0, c0  (N, H)      initial state (NULL: zeros)
 *   w_ih    (G*H, D)    input-to-hidden weights
 *   w_hh    (G*H, H)    hidden-to-hidden weights
 *   b_ih, b_hh (G*H)    biases (either or both may be NULL)
 * with G gate blocks stacked in the first dim:
 *   RNN   G = 1   h_t = act(W_ih x_t + b_ih + W_hh h_{t-1} + b_hh)
 *   LSTM  G = 4   i, f, g, o:  c_t = f c_{t-1} + i g,  h_t = o tanh(c_t)
 *   GRU   G = 3   r, z, n:     n = tanh(W_in x_t + b_in + r (W_hn h + b_hn)),
 *                              h_t = (1 - z) n + z h_{t-1}
 * Outputs: y (T, N, H), y[t] = h_t; the final states h_T, c_T (N, H).
 * With `reverse` the sequence is read from t = T-1 down to 0 (the backward
 * half of a bidirectional layer); y stays indexed by t and the final
 * state is the one after t = 0.
 *
 * Every tensor must have x's floating dtype; non-contiguous inputs are
 * copied.  Errors name the op and the shapes (SEQ_ESHAPE, SEQ_EDTYPE).
 * The kernels poll seq_poll_cancel() once per time step (SEQ_ECANCELED).
 *
 * The three outputs are views of one packed (T+1, N, H) or (T+2, N, H)
 * result (y, then h_T, then c_T), so they share storage: writing into one
 * in place changes the others.  Each output pointer except out_y may be
 * NULL when that result is not wanted; the caller owns what it gets.
 *
 * Memory, in elements: the packed outputs (T+1) N H (LSTM (T+2) N H),
 * and a workspace, kept for the backward when autograd records the call,
 * of T N (G H + H) (activated gates and the state entering every step)
 * plus T N H for the GRU (W_hn h + b_hn) or 2 T N H for the LSTM (c_{t-1}
 * and tanh(c_t)).  While the backward runs it takes T N G H more (twice
 * that for the GRU). */
#ifndef SEQ_RNN_H
#define SEQ_RNN_H

#include <stdbool.h>

#include "seq/tensor.h"

enum seq_rnn_nonlinearity { SEQ_RNN_TANH = 0, SEQ_RNN_RELU = 1 };

/* Elman RNN: y (T, N, H) and h_T (N, H). */
int seq_rnn(struct seq_tensor **out_y, struct seq_tensor **out_h,
            struct seq_tensor *x, struct seq_tensor *h0,
            struct seq_tensor *w_ih, struct seq_tensor *w_hh,
            struct seq_tensor *b_ih, struct seq_tensor *b_hh,
            enum seq_rnn_nonlinearity nonlinearity, bool reverse);

/* LSTM: y (T, N, H), h_T and c_T (N, H). */
int seq_lstm(struct seq_tensor **out_y, struct seq_tensor **out_h,
             struct seq_tensor **out_c, struct seq_tensor *x,
             struct seq_tensor *h0, struct seq_tensor *c0,
             struct seq_tensor *w_ih, struct seq_tensor *w_hh,
             struct seq_tensor *b_ih, struct seq_tensor *b_hh, bool reverse);

/* GRU: y (T, N, H) and h_T (N, H). */
int seq_gru(struct seq_tensor **out_y, struct seq_tensor **out_h,
            struct seq_tensor *x, struct seq_tensor *h0,
            struct seq_tensor *w_ih, struct seq_tensor *w_hh,
            struct seq_tensor *b_ih, struct seq_tensor *b_hh, bool reverse);

#endif
