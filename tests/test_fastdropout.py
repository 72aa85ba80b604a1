"""studio.fastdropout: the same dropout as torch's, from a faster generator."""
import torch

from studio.fastdropout import FastDropout, install


def test_fast_dropout_drops_p_and_rescales():
    torch.manual_seed(0)
    drop = FastDropout(0.2).train()
    x = torch.ones(200, 500, requires_grad=True)
    y = drop(x)
    zero = float((y == 0).float().mean())
    assert 0.19 < zero < 0.21
    assert torch.allclose(y[y != 0], torch.full_like(y[y != 0], 1 / 0.8))
    y.sum().backward()
    assert torch.equal(x.grad, y.detach())  # gradient flows through kept elements only
    assert torch.equal(drop.eval()(x), x)
    torch.manual_seed(5)
    a = FastDropout(0.2).train()(x)
    torch.manual_seed(5)
    assert torch.equal(FastDropout(0.2).train()(x), a)  # train.seed makes runs repeatable


def test_edge_rates():
    x = torch.randn(8, 8)
    assert FastDropout(0.0).train()(x) is x
    assert torch.equal(FastDropout(1.0).train()(x), torch.zeros_like(x))
    assert repr(FastDropout(0.1)) == "FastDropout(p=0.1)"


def test_install_swaps_every_plain_dropout_and_keeps_its_rate():
    class Custom(torch.nn.Dropout):  # a subclass may do more than drop: left alone
        pass
    model = torch.nn.Sequential(torch.nn.Linear(4, 4), torch.nn.Dropout(0.1),
                                torch.nn.Sequential(torch.nn.Dropout(0.3), Custom(0.5)))
    assert install(model) == 2
    assert isinstance(model[1], FastDropout) and model[1].p == 0.1
    assert isinstance(model[2][0], FastDropout) and model[2][0].p == 0.3
    assert type(model[2][1]) is Custom
    assert install(model) == 0  # nothing left to swap
