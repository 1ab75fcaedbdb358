// SPDX-License-Identifier: MIT
// Forwards the ether it is sent to another address: an internal ETH movement that only call
// traces show (no log, no top-level transfer to the recipient).
pragma solidity ^0.8.20;

contract Forwarder {
    event Forwarded(address indexed to, uint256 value);

    function forward(address payable to) external payable {
        (bool ok, ) = to.call{value: msg.value}("");
        require(ok, "forward failed");
        emit Forwarded(to, msg.value);
    }
}
