package unsafefix

import "sync"

type group struct{ wg sync.WaitGroup }

func (g *group) Go(f func() error) { g.wg.Add(1); go func() { defer g.wg.Done(); _ = f() }() }
func (g *group) Wait() error       { g.wg.Wait(); return nil }

func Collect(items []int) error {
	c := make(chan int) // want "channel-iteration-misuse: a goroutine ranges over `c`, but nobody closes it"
	var g group
	go func() {
		for v := range c {
			_ = v
		}
	}()
	for _, it := range items {
		g.Go(func() error {
			c <- it
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		return err
	}
	return nil
}
