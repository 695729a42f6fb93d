import { setFlagsFromString } from 'node:v8'

// V8 favours memory over peak speed in this process: its heap grows little
// past what is live, and its young generation stays small. Left to its
// defaults, V8 lets a server under steady load keep three or four times its
// live heap (a 45 MB heap held 170 MB after a benchmark: garbage not yet
// collected), which is memory a small machine or a container limit does not
// have. Measured on 1M tasks: 300 MB resident after every load case against
// under 150 MB with this, for about a tenth of the requests per second. Set
// first thing, before the application is loaded; V8 reads it at each
// collection, when it decides how far the heap may grow.
setFlagsFromString('--optimize-for-size')
